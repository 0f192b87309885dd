// Languages and money: Dutch, Arabic (right to left) and Japanese yen (no decimals), each
// formatted by the browser's Intl.NumberFormat and written into the order message.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { serve, launch, pageCapturingWhatsApp, messageOf, waitFor, widgetReady } from "./harness.mjs";

let assets, shop, browser;

const page = (assetsUrl, { locale, currency, price }) => `<!doctype html>
<html lang="${locale}"><head><meta charset="utf-8"><title>Shop</title></head><body>
<button data-chatout-add data-sku="tea" data-name="Sencha" data-price="${price}">+</button>
<button data-chatout-add data-sku="bad" data-name="Bad" data-price="${price}.125">bad</button>
<span data-chatout-subtotal></span>
<script src="${assetsUrl}/chatout.js" async data-phone="+31 6 1234 5678" data-shop="Shop"
        data-locale="${locale}" data-currency="${currency}" data-delivery="pickup"
        data-payment="cash_on_delivery"></script>
</body></html>`;

before(async () => {
  assets = await serve();
  shop = await serve({
    "/nl.html": page(assets.url, { locale: "nl-NL", currency: "EUR", price: "1234" }),
    "/ar.html": page(assets.url, { locale: "ar-EG", currency: "EUR", price: "1234" }),
    "/ja.html": page(assets.url, { locale: "ja-JP", currency: "JPY", price: "1500" }),
  });
  browser = await launch();
});

after(async () => {
  await browser?.close();
  shop?.close();
  assets?.close();
});

/** Adds two teas, checks the subtotal against Intl, sends, and returns what it saw. */
async function order(path, { locale, currency, minor, name = "Sam", blockTexts = false }) {
  const { page: tab, opened, consoleErrors, context } = await pageCapturingWhatsApp(browser);
  const tables = [];
  tab.on("request", (r) => r.url().includes("/labels/") && tables.push(new URL(r.url()).pathname));
  const warnings = [];
  tab.on("console", (m) => m.type() === "warning" && warnings.push(m.text()));
  if (blockTexts) await tab.route("**/labels/*.json", (route) => route.abort());
  await tab.goto(shop.url + path);
  await widgetReady(tab);
  const add = tab.locator("button[data-sku=tea]");
  await add.click();
  await add.click();
  await tab.locator("button[data-sku=bad]").click(); // one decimal too many: refused
  // Intl's own text, less the bidirectional marks it adds for Arabic (the widget's text
  // carries its direction in the panel's dir attribute and the message's own script).
  const expected = await tab.evaluate(([l, c, m]) =>
    new Intl.NumberFormat(l, { style: "currency", currency: c }).format(m).replace(/[\u200e\u200f\u061c]/g, ""),
    [locale, currency, minor]);
  await assert.doesNotReject(tab.locator("[data-chatout-subtotal]").filter({ hasText: expected }).waitFor());
  const dir = await tab.locator("[data-chatout-widget] > div").getAttribute("dir");
  const lang = await tab.locator("[data-chatout-widget] > div").getAttribute("lang");
  const closeX = await tab.locator(".chatout-header .chatout-icon").boundingBox();
  const title = await tab.locator("#chatout-title").boundingBox();
  const checkout = tab.locator(".chatout-primary");
  const buttonText = await checkout.textContent();
  await checkout.click();
  const offers = tab.locator(".chatout-form input[name=marketing]");
  const offersText = (await tab.locator(".chatout-consent", { has: tab.locator("input[name=marketing]") })
    .textContent()).trim();
  const offersTicked = await offers.isChecked();
  await tab.locator(".chatout-form input").first().fill(name);
  await tab.locator(".chatout-form .chatout-primary").click();
  await assert.doesNotReject(() => waitFor(() => opened.length === 1));
  const result = { expected, dir, lang, closeOnLeft: closeX.x < title.x, buttonText, offersText, offersTicked,
                   message: messageOf(opened[0]).split("\n"), consoleErrors, tables, warnings };
  await context.close();
  return result;
}

test("Dutch texts and Dutch money", async () => {
  const r = await order("/nl.html", { locale: "nl-NL", currency: "EUR", minor: 2468 });
  assert.equal(r.expected, "€\u00a02.468,00");
  assert.equal(r.dir, "ltr");
  assert.equal(r.buttonText, "Afrekenen");
  assert.equal(r.message[0].replace(/[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}/, "REF"), "*Bestelling REF — Shop*");
  assert.ok(r.message.includes("2 × Sencha — €\u00a02.468,00"), r.message.join("\n"));
  assert.ok(r.message.includes("*Subtotaal:* €\u00a02.468,00"), r.message.join("\n"));
  assert.ok(r.consoleErrors.some((e) => e.includes("data-price")), "the bad price is refused");
  assert.deepEqual(r.tables, ["/labels/nl.json"], "the Dutch table, fetched once");
  assert.equal(r.offersText, "Stuur mij aanbiedingen en nieuws via WhatsApp");
  assert.equal(r.offersTicked, false, "offers and news starts unticked");
});

test("when the language table cannot be fetched the shop still sells, in English", async () => {
  const r = await order("/nl.html", { locale: "nl-NL", currency: "EUR", minor: 2468, blockTexts: true });
  assert.equal(r.buttonText, "Checkout");
  assert.ok(r.message.includes("*Subtotal:* €\u00a02.468,00"), "Dutch money, English words");
  assert.ok(r.warnings.some((w) => w.includes("the nl texts could not be loaded")), r.warnings.join("\n"));
});

test("Arabic is laid out right to left", async () => {
  const r = await order("/ar.html", { locale: "ar-EG", currency: "EUR", minor: 2468, name: "سامي" });
  assert.equal(r.expected, "٢٬٤٦٨٫٠٠\u00a0€", "Arabic-Indic digits and separators");
  assert.equal(r.dir, "rtl");
  assert.equal(r.lang, "ar-EG");
  assert.ok(r.closeOnLeft, "the close button sits at the start of an RTL header: the left");
  assert.equal(r.buttonText, "إتمام الطلب");
  assert.ok(r.message.includes(`*المجموع الفرعي:* ${r.expected}`), r.message.join("\n"));
  assert.ok(r.message.includes("*الاسم:* سامي"), r.message.join("\n"));
  assert.equal(r.offersText, "أرسلوا لي العروض والأخبار عبر واتساب");
  assert.equal(r.offersTicked, false, "offers and news starts unticked");
});

test("Japanese yen has no decimals", async () => {
  const r = await order("/ja.html", { locale: "ja-JP", currency: "JPY", minor: 3000 });
  assert.match(r.expected, /^[¥￥]3,000$/);
  assert.ok(r.message.includes(`2 × Sencha — ${r.expected}`), r.message.join("\n"));
  assert.ok(r.message.includes(`*Subtotal:* ${r.expected}`), r.message.join("\n"));
  assert.ok(r.consoleErrors.some((e) => e.includes("data-price")), "1500.125 yen is refused");
  assert.deepEqual(r.tables, [], "no table for a language without one");
});
