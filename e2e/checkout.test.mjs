// End to end, on the built demo: a shopper adds products with options, changes a quantity,
// fills the form and sends; the wa.me link is captured and its message checked line by line.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { serve, demoPage, launch, pageCapturingWhatsApp, messageOf, waitFor, widgetReady, decodeQr } from "./harness.mjs";

let assets, shop, browser;

before(async () => {
  assets = await serve();
  const pages = {
    "/index.html": await demoPage(assets.url),
    "/twice.html": await demoPage(assets.url, (html) => html.replace("</body>",
      `<script src="${assets.url}/chatout.js" data-phone="+31 6 1234 5678" data-shop="Second"></script></body>`)),
    "/no-phone.html": await demoPage(assets.url, (html) => html.replace('data-phone="+31 6 1234 5678"', "")),
  };
  shop = await serve(pages);
  browser = await launch();
});

after(async () => {
  await browser?.close();
  shop?.close();
  assets?.close();
});

async function openShop(path = "/") {
  const session = await pageCapturingWhatsApp(browser);
  await session.page.goto(shop.url + path);
  return session;
}

async function ready(page) {
  await widgetReady(page);
}

test("a cart of options and quantities becomes the exact WhatsApp order message", async () => {
  const { page, opened, consoleErrors, requested, context } = await openShop();
  await ready(page);

  const shirt = page.locator("article", { hasText: "Linen shirt" });
  await shirt.locator("select[data-variant=Size]").selectOption("L");
  await shirt.locator("select[data-variant=Colour]").selectOption("Navy");
  await shirt.getByRole("button", { name: "Add to cart" }).click();
  const candle = page.locator("article", { hasText: "Soy candle" });
  await candle.locator("select[data-variant=Scent]").selectOption("Sea salt");
  await candle.getByRole("button", { name: "Add to cart" }).click();
  await page.getByRole("button", { name: "Add 3 sachets" }).click();

  await page.getByRole("button", { name: "One more: Linen shirt" }).click();
  await assert.doesNotReject(page.locator("[data-chatout-count]").filter({ hasText: "6" }).waitFor());
  assert.equal(await page.locator("[data-chatout-subtotal]").textContent(), "€80.09");

  await page.getByRole("button", { name: "Checkout" }).click();
  await page.getByLabel("Your name").fill("Anna de Vries");
  await page.getByLabel("Delivery address").fill("Keizersgracht 1,\n1015 Amsterdam");
  await page.getByLabel("Bank transfer").check();
  await page.getByLabel("WhatsApp number (optional)").fill("06 1234 5678");
  await page.getByLabel("Email (optional)").fill("anna@example.nl");
  await page.getByLabel("Note (optional)").fill("Gift wrap, please");
  await page.getByLabel("Send me order updates on WhatsApp").check();
  // The QR encoder is its own module, fetched only once there is a link to encode.
  assert.deepEqual(requested.filter((u) => u.includes("chatout-qr")), []);
  await page.getByRole("button", { name: "Send order on WhatsApp" }).click();

  const heading = await page.getByTestId("reference").textContent();
  const reference = heading.match(/Order ([2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4})/)?.[1];
  assert.ok(reference, `no reference in "${heading}"`);
  await assert.doesNotReject(() => waitFor(() => opened.length === 1));

  const url = new URL(opened[0]);
  assert.equal(url.origin + url.pathname, "https://wa.me/31612345678");
  assert.deepEqual(messageOf(opened[0]).split("\n"), [
    `*Order ${reference} — Zeegras Home*`,
    "",
    "*Items*",
    "2 × Linen shirt (Size: L, Colour: Navy) — €59.80",
    "1 × Soy candle (Scent: Sea salt) — €19.99",
    "3 × Tea sample — €0.30",
    "",
    "*Subtotal:* €80.09",
    "*Shipping:* Ships in 2-4 working days; shipping cost confirmed in chat",
    "",
    "*Delivery:* Shipping to my address",
    "*Address:* Keizersgracht 1, 1015 Amsterdam",
    "*Payment:* Bank transfer",
    "",
    "*Customer*",
    "*Name:* Anna de Vries",
    "*Phone:* +31612345678",
    "*Email:* anna@example.nl",
    "*Note:* Gift wrap, please",
    "",
    "✅ I agree to receive order updates on WhatsApp.",
  ]);

  // The cart is cleared only after the hand-off, and the message stays available to copy.
  assert.equal(await page.locator("[data-chatout-count]").textContent(), "0");
  assert.equal(await page.locator(".chatout-message").inputValue(), messageOf(opened[0]));
  // On a computer, a QR code carries the same link to the phone.
  assert.equal(await decodeQr(page, ".chatout-qr svg"), opened[0]);
  assert.deepEqual(requested.filter((u) => u.includes("chatout-qr")).map((u) => new URL(u).pathname),
    ["/chatout-qr.js", "/chatout-qr_bg.wasm"]);
  assert.deepEqual(consoleErrors, []);
  await context.close();
});

test("on a phone the order opens the app directly, without a QR code", async () => {
  const { page, opened, requested, context } = await pageCapturingWhatsApp(browser, {
    userAgent: "Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148",
    viewport: { width: 390, height: 844 },
    isMobile: true,
    hasTouch: true,
  });
  // WhatsApp opens in this same tab. Answered with 204 No Content, the navigation leaves the
  // shop's page, and the widget's sent step, in place.
  await page.route(/^https:\/\/wa\.me\//, (route) => {
    opened.push(route.request().url());
    return route.fulfill({ status: 204 });
  });
  await page.goto(shop.url + "/");
  await ready(page);
  await page.locator("article", { hasText: "Stoneware mug" }).getByRole("button").tap();
  await page.getByRole("button", { name: "Checkout" }).tap();
  await page.getByLabel("Your name").fill("Kim");
  await page.getByLabel("Pickup").check();
  await page.getByLabel("Bank transfer").check();
  await page.getByRole("button", { name: "Send order on WhatsApp" }).tap();
  await assert.doesNotReject(() => waitFor(() => opened.length === 1));
  // A phone neither shows a QR code nor downloads its encoder, which a computer requests as
  // soon as the sent step shows (the first test).
  await new Promise((resolve) => setTimeout(resolve, 1000));
  assert.deepEqual(requested.filter((u) => u.includes("chatout-qr")), []);
  await context.close();
});

test("with an empty cart the button opens a plain chat about the page", async () => {
  const { page, opened, context } = await openShop();
  await ready(page);
  await page.locator(".chatout-launcher").click();
  await waitFor(() => opened.length === 1);
  assert.equal(messageOf(opened[0]),
    `Hi Zeegras Home, I have a question about Zeegras Home — Demo shop ${shop.url}/`);
  await context.close();
});

test("a host-page chat link sends its own message", async () => {
  const { page, opened, context } = await openShop();
  await ready(page);
  await page.getByRole("link", { name: "Ask us" }).click();
  await waitFor(() => opened.length === 1);
  assert.equal(messageOf(opened[0]), "Hi! Do you deliver to Belgium?");
  await context.close();
});

test("the cart survives a page reload", async () => {
  const { page, context } = await openShop();
  await ready(page);
  await page.getByRole("button", { name: "Add to cart" }).nth(1).click();
  await page.reload();
  await ready(page);
  await page.locator("[data-chatout-count]").filter({ hasText: "1" }).waitFor();
  await page.locator(".chatout-launcher").click();
  assert.equal(await page.locator(".chatout-line-name").textContent(), "Soy candle");
  await context.close();
});

test("loading the script twice mounts one widget", async () => {
  const { page, context } = await openShop("/twice.html");
  await ready(page);
  await page.waitForTimeout(300);
  assert.equal(await page.locator("#chatout-root").count(), 1);
  await context.close();
});

test("a missing phone logs one clear error and leaves the page working", async () => {
  // The listener is in place before the page's scripts run: the error may come at once.
  const { page, consoleErrors, context } = await pageCapturingWhatsApp(browser);
  await page.addInitScript(() => {
    window.chatoutFirstError = new Promise((resolve) =>
      document.addEventListener("chatout:error", (e) => resolve(e.detail), { once: true }));
  });
  await page.goto(shop.url + "/no-phone.html");
  const detail = await page.evaluate(() => window.chatoutFirstError);
  assert.equal(detail.code, "invalid_config");
  assert.match(detail.message, /data-phone/);
  assert.equal(await page.locator("#chatout-root").count(), 0);
  assert.equal(consoleErrors.filter((e) => e.startsWith("Chatout:")).length, 1, consoleErrors.join("\n"));
  assert.match(consoleErrors[0], /data-phone: is required/);
  assert.equal(await page.locator("h1").textContent(), "Slow living, quick ordering.");
  await context.close();
});
