// The staff desk on a phone: every page fits 360 px without sideways scrolling and axe-core
// finds nothing, and the inbox answers a shopper by keyboard alone.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import { createRequire } from "node:module";
import { launch, startServer } from "./harness.mjs";

const AXE = createRequire(import.meta.url).resolve("axe-core/axe.min.js");
const SECRET = "e2e-app-secret";
let server, browser, reference;

before(async () => {
  server = await startServer({
    // Messaging on, pointed at a port nobody listens on: sends fail and are retried, which
    // is all the desk needs to show conversations.
    WHATSAPP_API_BASE: "http://127.0.0.1:9/v23.0",
    WHATSAPP_PHONE_NUMBER_ID: "1065",
    WHATSAPP_TOKEN: "e2e-token",
    WHATSAPP_APP_SECRET: SECRET,
    WHATSAPP_VERIFY_TOKEN: "e2e-verify",
    CHATOUT_RATE_LIMIT: "0",
  });
  const order = await fetch(`${server.url}/api/orders`, {
    method: "POST",
    headers: { "content-type": "application/json", "idempotency-key": "desk-e2e-1" },
    body: JSON.stringify({
      reference: "", currency: "EUR", locale: "nl-NL",
      items: [{ sku: "tote-canvas", name: "Canvas tote", options: {}, unit_price: 1500, quantity: 1 }],
      subtotal: 1500,
      customer: { name: "Anna de Vries with a rather long name for a small screen", phone: "+31612345678", email: "anna.de.vries.with.a.long.address@example.com" },
      delivery: { method: "shipping", address: "Keizersgracht 1, 1015 Amsterdam" },
      payment: "bank_transfer", note: "Gift wrap, please", consent: null,
      page: "https://shop.example/products/canvas-tote",
    }),
  }).then((r) => r.json());
  reference = order.reference;
  const text = `*Order ${reference} — Zeegras Home*\nIs it possible to pick it up on Saturday?`;
  const at = String(Math.floor(Date.now() / 1000) - 60);
  await deliver("31612345678", { id: "wamid.E2E-1", timestamp: at, type: "text", text: { body: text } });
  // The customer taps "Yes, confirm"; a stranger taps a copy of "Cancel order" (a warning).
  // Both and the cart below came later: the first conversation still waits longest.
  const now = String(Math.floor(Date.now() / 1000));
  const tap = (id, action, title) => ({ id, timestamp: now, type: "interactive",
    interactive: { type: "button_reply", button_reply: { id: `order:${reference}:${action}`, title } } });
  await deliver("31612345678", tap("wamid.E2E-2", "confirm", "Ja, bevestigen"));
  await deliver("31699999999", tap("wamid.E2E-3", "cancel", "Bestelling annuleren"));
  // A cart from the shop's WhatsApp catalog becomes an order of its own.
  await deliver("31655555555", { id: "wamid.E2E-4", timestamp: now, type: "order", order: {
    catalog_id: "CAT-E2E", text: "Could you gift wrap it?",
    product_items: [{ product_retailer_id: "shirt-linen:Navy:M", quantity: 2, item_price: 1, currency: "EUR" },
                    { product_retailer_id: "unknown-lamp", quantity: 1, item_price: 5, currency: "EUR" }] } });
  browser = await launch();
});

/// Posts a signed webhook delivery of one message from `wa_id`.
async function deliver(waId, message) {
  const body = JSON.stringify({
    object: "whatsapp_business_account",
    entry: [{ id: "WABA", changes: [{ field: "messages", value: {
      messaging_product: "whatsapp", metadata: { phone_number_id: "1065" },
      contacts: [{ profile: { name: "Sam" }, wa_id: waId }],
      messages: [{ from: waId, ...message }],
    } }] }],
  });
  const signature = "sha256=" + createHmac("sha256", SECRET).update(body).digest("hex");
  const delivered = await fetch(`${server.url}/webhooks/whatsapp`, {
    method: "POST", headers: { "content-type": "application/json", "x-hub-signature-256": signature }, body,
  });
  assert.equal(delivered.status, 200);
}

after(async () => {
  await browser?.close();
  server?.stop();
});

async function signedIn(options = {}) {
  const context = await browser.newContext({ viewport: { width: 360, height: 740 }, ...options });
  const page = await context.newPage();
  await page.goto(`${server.url}/admin/login`);
  await page.getByLabel("Username").fill("admin");
  await page.getByLabel("Password").fill(server.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL(`${server.url}/admin`);
  return { context, page };
}

async function violations(page) {
  await page.addScriptTag({ path: AXE });
  const result = await page.evaluate(() => window.axe.run(document, {
    runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"] },
  }));
  return result.violations.map((v) => `${v.id}: ${v.nodes.map((n) => `${n.target.join(" >> ")} (${n.any[0]?.message ?? ""})`).join(", ")}`);
}

test("every desk page fits a 360 px phone and axe finds nothing", async () => {
  for (const colorScheme of ["light", "dark"]) {
    // The desk allows no scripts at all; axe is let in past the policy, for the test only.
    const { context, page } = await signedIn({ colorScheme, bypassCSP: true });
    await page.goto(`${server.url}/admin/inbox`);
    const conversation = await page.locator("a[href^='/admin/inbox/']").first().getAttribute("href");
    // The catalog cart's order: the newest in the list.
    await page.goto(`${server.url}/admin`);
    const cartOrder = await page.locator("a[href^='/admin/orders/']").first().getAttribute("href");
    // A campaign, made as staff make one: its page is checked too.
    await page.goto(`${server.url}/admin/campaigns`);
    await page.getByLabel("Name", { exact: true }).fill(`Weekend ${colorScheme}`);
    await page.getByLabel("chatout_weekend_sale").check();
    await page.getByLabel("Text for the first").fill("20% off all candles.");
    await page.getByRole("button", { name: "Count the audience" }).click();
    await page.getByTestId("audience-count").waitFor();
    await page.getByRole("button", { name: "Save the campaign" }).click();
    await page.getByTestId("campaign-status").waitFor();
    const campaign = new URL(page.url()).pathname;
    const paths = ["/admin", "/admin?status=not-received", `/admin/orders/${reference}`, cartOrder, "/admin/inbox",
                   conversation, "/admin/products", "/admin/staff", "/admin/tokens", "/admin/webhooks", "/admin/export",
                   "/admin/campaigns", campaign];
    const problems = [];
    for (const path of paths) {
      await page.goto(server.url + path);
      const { scroll, width } = await page.evaluate(() => ({
        scroll: document.documentElement.scrollWidth, width: window.innerWidth }));
      if (scroll > width) problems.push(`${path}: ${scroll} px wide in a ${width} px screen`);
      for (const v of await violations(page)) problems.push(`${path}: ${v}`);
    }
    assert.deepEqual(problems, [], colorScheme);
    await context.close();
  }
});

test("the inbox answers a shopper by keyboard alone", async () => {
  const { context, page } = await signedIn();
  await page.goto(`${server.url}/admin/inbox`);
  const tabUntil = async (matches, what) => {
    for (let n = 0; n < 40; n++) {
      await page.keyboard.press("Tab");
      if (await page.evaluate(matches)) return;
    }
    assert.fail(`Tab never reached ${what}`);
  };
  await tabUntil(() => document.activeElement?.getAttribute("href")?.startsWith("/admin/inbox/"), "a conversation");
  await page.keyboard.press("Enter");
  await page.waitForURL(/\/admin\/inbox\/\d+$/);
  assert.match(await page.textContent("main"), /pick it up on Saturday/);
  await tabUntil(() => document.activeElement?.tagName === "TEXTAREA", "the reply box");
  await page.keyboard.type("Yes, Saturday 10 to 4 works.");
  await tabUntil(() => document.activeElement?.textContent === "Send on WhatsApp", "the send button");
  await page.keyboard.press("Enter");
  await page.waitForURL(/notice=replied/);
  assert.match(await page.textContent("main"), /Yes, Saturday 10 to 4 works\./);
  await context.close();
});
