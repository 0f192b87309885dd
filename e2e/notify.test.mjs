// Back-in-stock in the widget (docs/CONTRACT.md section 10): the demo store in endpoint mode, with
// the olive oil sold out on the server. Its add button offers "Tell me when it's back": the
// number and the unticked opt-in to offers, one request, then WhatsApp opens with the
// server's message carrying the alert's reference. Also: a hostile product name, a product
// the server does not know, and the opt-in boxes unticked in Dutch and Arabic.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { launch, pageCapturingWhatsApp, messageOf, startServer, waitFor, widgetReady } from "./harness.mjs";

const root = path.resolve(import.meta.dirname, "..");
const labels = (language) => JSON.parse(readFileSync(path.join(root, "crates/core/labels", `${language}.json`), "utf8"));
let server, browser;

before(async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), "chatout-notify-"));
  const catalog = path.join(dir, "catalog.json");
  const demo = readFileSync(path.join(root, "demo/catalog.json"), "utf8");
  writeFileSync(catalog, demo.replace('"stock": 3', '"stock": 0'));
  server = await startServer({
    CHATOUT_CATALOG: catalog,
    // Messaging on (the alerts need a template), its API out of reach: nothing leaves.
    WHATSAPP_API_BASE: "http://127.0.0.1:9/v23.0",
    WHATSAPP_PHONE_NUMBER_ID: "1065",
    WHATSAPP_TOKEN: "e2e-token",
    WHATSAPP_APP_SECRET: "e2e-secret",
    WHATSAPP_VERIFY_TOKEN: "e2e-verify",
  });
  browser = await launch();
});

after(async () => {
  await browser?.close();
  server?.stop();
});

/** The demo store in `locale`, with every back-in-stock POST recorded, once the widget knows
 *  what is sold out. */
async function openShop(locale = "en") {
  const session = await pageCapturingWhatsApp(browser);
  const { page } = session;
  session.posts = [];
  page.on("request", (r) => {
    if (r.method() === "POST" && r.url().endsWith("/api/back-in-stock")) session.posts.push(r);
  });
  await page.route(server.url + "/", async (route) => {
    const response = await route.fetch();
    const html = (await response.text()).replace('data-locale="en"', `data-locale="${locale}"`);
    await route.fulfill({ response, body: html });
  });
  const availability = page.waitForResponse((r) => r.url().endsWith("/api/availability"));
  await page.goto(server.url + "/");
  await widgetReady(page);
  assert.deepEqual((await (await availability).json()).unavailable, ["olive-oil-500"]);
  return session;
}

const addOil = (page) =>
  page.locator("article", { hasText: "Olive oil, 500 ml" }).locator("button[data-chatout-add]").click();

test("a sold-out product offers an alert: number, opt-in, one request, then WhatsApp", async () => {
  const { page, opened, posts, consoleErrors } = await openShop();
  await addOil(page);
  const dialog = page.getByRole("dialog");
  await dialog.getByRole("heading", { name: "Tell me when it's back" }).waitFor();
  // The form is a module of its own, fetched on this first use.
  await dialog.getByText("Olive oil, 500 ml is sold out").waitFor();
  await assert.doesNotReject(() => waitFor(async () => (await dialog.getAttribute("aria-busy")) === null),
    "the panel opened on the form is not left busy");
  assert.equal(await page.locator("[data-chatout-count]").first().textContent(), "0", "nothing was added");
  const offers = dialog.getByLabel("Send me offers and news on WhatsApp");
  assert.equal(await offers.isChecked(), false, "the opt-in starts unticked");
  const send = dialog.getByRole("button", { name: "Notify me on WhatsApp" });
  // Nothing goes without a number and the opt-in.
  await send.click();
  await dialog.getByText("Please fill this in.").waitFor();
  await dialog.getByText("Tick the box to get the message.").waitFor();
  await dialog.getByLabel("WhatsApp number (optional)").fill("12");
  await offers.check();
  await send.click();
  await dialog.getByText(/Please enter a phone number with country code/).waitFor();
  assert.equal(posts.length, 0);
  await dialog.getByLabel("WhatsApp number (optional)").fill("06 1234 5678");
  await send.dblclick();
  await page.getByTestId("notify-sent").waitFor();
  await waitFor(() => opened.length === 1);
  assert.equal(posts.length, 1, "a double click sends one request");
  const body = JSON.parse(posts[0].postData());
  assert.equal(body.sku, "olive-oil-500");
  assert.equal(body.phone, "+31612345678");
  assert.equal(body.locale, "en");
  assert.equal(body.consent.text, "Send me offers and news on WhatsApp");
  assert.ok(!Number.isNaN(Date.parse(body.consent.at)));
  assert.equal(body.page, server.url + "/");
  const message = messageOf(opened[0]);
  assert.match(message, /Olive oil, 500 ml/);
  assert.match(message, /\(ALERT-[2-9A-HJ-NP-Z]{6}\)/);
  assert.ok(opened[0].startsWith("https://wa.me/31612345678?"), opened[0]);
  assert.deepEqual(consoleErrors, []);
  // A product that is in stock is added as always.
  await page.getByRole("button", { name: "Done" }).click();
  await page.locator("article", { hasText: "Stoneware mug" }).getByRole("button", { name: "Add to cart" }).click();
  assert.equal(await page.locator("[data-chatout-count]").first().textContent(), "1");
});

test("a hostile name stays text, and a product the server does not know says so", async () => {
  const { page, posts } = await openShop();
  await page.evaluate(() => {
    window.pwned = false;
    const add = (sku, name) => {
      const button = document.createElement("button");
      button.setAttribute("data-chatout-notify", "");
      button.dataset.sku = sku;
      button.dataset.name = name;
      button.textContent = "Notify " + sku;
      document.body.append(button);
    };
    add("olive-oil-500", '<img src=x onerror="window.pwned=true">Oil "extra" & co');
    add("no-such-thing", "Ghost");
  });
  await page.getByRole("button", { name: "Notify olive-oil-500" }).click();
  const dialog = page.getByRole("dialog");
  await dialog.getByText('<img src=x onerror="window.pwned=true">Oil "extra" & co is sold out', { exact: false }).waitFor();
  assert.equal(await dialog.locator("img").count(), 0);
  assert.equal(await page.evaluate(() => window.pwned), false);
  await page.keyboard.press("Escape");
  await page.getByRole("button", { name: "Notify no-such-thing" }).click();
  await dialog.getByLabel("WhatsApp number (optional)").fill("+31 6 1111 2222");
  await dialog.getByLabel("Send me offers and news on WhatsApp").check();
  await dialog.getByRole("button", { name: "Notify me on WhatsApp" }).click();
  await page.getByTestId("notify-problem").waitFor();
  assert.equal(posts.length, 1);
  // The form keeps what was typed, for another try.
  assert.equal(await dialog.getByLabel("WhatsApp number (optional)").inputValue(), "+31 6 1111 2222");
});

for (const [locale, language, dir] of [["nl-NL", "nl", "ltr"], ["ar-EG", "ar", "rtl"]]) {
  test(`in ${language}, both opt-ins start unticked and the alert speaks the language`, async () => {
    const table = labels(language);
    const { page } = await openShop(locale);
    assert.equal(await page.locator("[data-chatout-widget] > div").getAttribute("dir"), dir);
    await page.locator("article", { hasText: "Stoneware mug" }).locator("button[data-chatout-add]").click();
    await page.getByRole("button", { name: table.checkout }).click();
    const updates = page.getByLabel(table.consent_checkbox);
    const offers = page.getByLabel(table.marketing_checkbox);
    assert.equal(await updates.isChecked(), false);
    assert.equal(await offers.isChecked(), false);
    await page.keyboard.press("Escape");
    await addOil(page);
    const dialog = page.getByRole("dialog");
    await dialog.getByRole("heading", { name: table.notify_title }).waitFor();
    assert.equal(await dialog.getByLabel(table.marketing_checkbox).isChecked(), false);
    await dialog.getByRole("button", { name: table.notify_send }).waitFor();
  });
}
