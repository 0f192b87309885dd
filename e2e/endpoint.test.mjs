// End to end in endpoint mode (orders registered on the server before WhatsApp opens): the demo store served by chatout-server registers
// each order before WhatsApp opens; staff find it pending in the desk under the same reference
// and confirm it. Also: a changed price, an unreachable server, and double clicks.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { launch, pageCapturingWhatsApp, messageOf, startServer, waitFor, widgetReady } from "./harness.mjs";

let server, browser;

before(async () => {
  server = await startServer();
  browser = await launch();
});

after(async () => {
  await browser?.close();
  server?.stop();
});

/** The demo page with every POST to /api/orders recorded. */
async function openShop() {
  const session = await pageCapturingWhatsApp(browser);
  session.posts = [];
  session.page.on("request", (r) => {
    if (r.method() === "POST" && r.url().endsWith("/api/orders")) session.posts.push(r);
  });
  await session.page.goto(server.url + "/");
  await widgetReady(session.page);
  return session;
}

async function fillCheckout(page) {
  await page.getByRole("button", { name: "Checkout" }).click();
  await page.getByLabel("Your name").fill("Anna de Vries");
  await page.getByLabel("Delivery address").fill("Keizersgracht 1, 1015 Amsterdam");
  await page.getByLabel("Bank transfer").check();
  await page.getByLabel("WhatsApp number (optional)").fill("06 1234 5678");
}

async function referenceShown(page) {
  const heading = await page.getByTestId("reference").textContent();
  return heading.match(/([2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4})/)?.[1];
}

test("an order is registered, sent with the server's reference, and confirmed in the desk", async () => {
  const { page, context, opened, posts, consoleErrors } = await openShop();
  await page.locator("article", { hasText: "Stoneware mug" }).getByRole("button", { name: "Add to cart" }).click();
  await page.getByRole("button", { name: "Add 3 sachets" }).click();
  await fillCheckout(page);
  // Offers and news is a box of its own, unticked until the shopper ticks it.
  const offers = page.getByLabel("Send me offers and news on WhatsApp");
  assert.equal(await offers.isChecked(), false);
  await offers.check();
  const send = page.getByRole("button", { name: "Send order on WhatsApp" });
  await send.dblclick();

  const reference = await referenceShown(page);
  assert.ok(reference, "a reference is shown");
  await waitFor(() => opened.length === 1);
  assert.equal(posts.length, 1, "a double click sends one request");
  const consent = JSON.parse(posts[0].postData()).consent;
  assert.equal(consent.whatsapp_updates, false, "order updates were not ticked");
  assert.equal(consent.marketing.whatsapp_updates, true);
  assert.equal(consent.marketing.text, "Send me offers and news on WhatsApp");
  const message = messageOf(opened[0]);
  assert.match(message, new RegExp(`\\*Order ${reference} — Zeegras Home\\*`));
  assert.match(message, /1 × Stoneware mug — €12\.50/);
  assert.deepEqual(consoleErrors, []);

  // Staff sign in and find it pending, under the same reference.
  const desk = await context.newPage();
  await desk.goto(server.url + "/admin");
  await desk.getByLabel("Username").fill("admin");
  await desk.getByLabel("Password").fill(server.password);
  await desk.getByRole("button", { name: "Sign in" }).click();
  const row = desk.locator("tr", { hasText: reference });
  await row.waitFor();
  assert.match(await row.textContent(), /pending/);
  assert.match(await row.textContent(), /Anna de Vries/);
  await row.getByRole("link", { name: reference }).click();
  await desk.getByRole("button", { name: "Mark confirmed" }).click();
  await desk.getByText("Marked confirmed.").waitFor();
  assert.match(await desk.locator("h1").textContent(), /confirmed/);
  assert.match(await desk.locator(".history", { hasText: "created pending" }).textContent(), /pending → confirmed by admin/);
  const chat = await desk.getByRole("link", { name: "Open chat" }).getAttribute("href");
  assert.ok(chat.startsWith("https://wa.me/31612345678?text="), chat);
  await context.close();
});

test("a price the shop changed updates the cart and explains; the next send goes through", async () => {
  const { page, context, opened, posts } = await openShop();
  // The page shows an old price; the server's catalog says €12.50.
  await page.evaluate(() => {
    document.querySelector('[data-sku="mug-stoneware"]').dataset.price = "9.99";
  });
  await page.locator("article", { hasText: "Stoneware mug" }).getByRole("button", { name: "Add to cart" }).click();
  await fillCheckout(page);
  await page.getByRole("button", { name: "Send order on WhatsApp" }).click();

  const problem = page.getByTestId("submit-problem");
  await problem.waitFor();
  assert.match(await problem.textContent(), /Some prices have changed/);
  assert.equal(await page.getByTestId("subtotal").textContent(), "€12.50");
  assert.equal(opened.length, 0, "nothing was sent at the old price");

  await fillCheckout(page);
  await page.getByRole("button", { name: "Send order on WhatsApp" }).click();
  await referenceShown(page);
  await waitFor(() => opened.length === 1);
  assert.match(messageOf(opened[0]), /1 × Stoneware mug — €12\.50/);
  assert.equal(posts.length, 2);
  assert.notEqual(posts[0].headers()["idempotency-key"], posts[1].headers()["idempotency-key"],
    "a changed cart is a new request");
  await context.close();
});

test("an unreachable server keeps the order; trying again reuses the key", async () => {
  const { page, context, opened, posts } = await openShop();
  let fail = true;
  await context.route("**/api/orders", (route) => (fail ? route.abort("connectionrefused") : route.continue()));
  await page.getByRole("button", { name: "Add 3 sachets" }).click();
  await fillCheckout(page);
  await page.getByRole("button", { name: "Send order on WhatsApp" }).click();

  const problem = page.getByTestId("submit-problem");
  await problem.waitFor();
  assert.match(await problem.textContent(), /could not register your order/);
  assert.equal(await problem.getByRole("button", { name: "Send on WhatsApp without registering" }).count(), 0,
    "the demo shop does not allow unregistered orders");
  assert.equal(opened.length, 0);

  fail = false;
  await problem.getByRole("button", { name: "Try again" }).click();
  await referenceShown(page);
  await waitFor(() => opened.length === 1);
  assert.equal(posts.length, 2);
  assert.equal(posts[0].headers()["idempotency-key"], posts[1].headers()["idempotency-key"]);
  await context.close();
});

test("with several agents the server's message goes to the routed agent", async () => {
  const session = await pageCapturingWhatsApp(browser);
  const { page, context, opened } = session;
  const agents = { payment_labels: { ideal: "iDEAL" },
    agents: [{ name: "Sara", phone: "+31 6 1111 1111", categories: ["home"] }, { name: "Mia", phone: "+31 6 3333 3333" }] };
  await page.route(server.url + "/", async (route) => {
    const response = await route.fetch();
    const html = (await response.text()).replace(/<script type="application\/json" id="chatout-config">[\s\S]*?<\/script>/,
      `<script type="application/json" id="chatout-config">${JSON.stringify(agents)}</script>`);
    assert.match(html, /"agents"/);
    await route.fulfill({ response, body: html });
  });
  await page.goto(server.url + "/");
  await widgetReady(page);
  await page.locator("article", { hasText: "Stoneware mug" }).getByRole("button", { name: "Add to cart" }).click();
  await assert.doesNotReject(page.locator(".chatout-agent").filter({ hasText: "Your order goes to Sara" }).waitFor());
  await fillCheckout(page);
  await page.getByRole("button", { name: "Send order on WhatsApp" }).click();
  const reference = await referenceShown(page);
  await waitFor(() => opened.length === 1);
  const url = new URL(opened[0]);
  assert.equal(url.pathname, "/31611111111", "to Sara, not the shop's number");
  assert.match(messageOf(opened[0]), new RegExp(`\\*Order ${reference} — Zeegras Home\\*`));
  assert.match(messageOf(opened[0]), /1 × Stoneware mug — €12\.50/);
  await context.close();
});
