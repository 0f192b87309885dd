// Products without data attributes (docs/CONTRACT.md section 11): `data-products="auto"` on pages
// modelled on what WooCommerce, Shopify's Dawn theme and Magento 2 write, a microdata-only
// listing, markup a single-page shop adds later, and broken or hostile markup. Each good
// product gets an "Order on WhatsApp" button; an order from it is checked line by line.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { serve, launch, pageCapturingWhatsApp, messageOf, waitFor, widgetReady } from "./harness.mjs";

let assets, shop, browser;
const TAG = (url) => `<script src="${url}/chatout.js" async data-phone="+31 6 1234 5678" data-shop="Demo"
  data-currency="EUR" data-locale="en" data-delivery="pickup" data-payment="cash_on_delivery"
  data-products="auto"></script>`;
const page = (name, url) => readFileSync(path.join(import.meta.dirname, "platforms", name), "utf8")
  .replace("<!-- CHATOUT_TAG -->", TAG(url));

before(async () => {
  assets = await serve();
  const pages = {};
  for (const name of ["woocommerce.html", "shopify-dawn.html", "magento.html", "microdata.html", "broken.html"]) {
    pages[`/${name}`] = page(name, assets.url);
  }
  pages["/spa.html"] = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>SPA</title></head>
<body><main id="app"><p>Loading…</p></main>${TAG(assets.url)}</body></html>`;
  shop = await serve(pages);
  browser = await launch();
});

after(async () => {
  await browser?.close();
  shop?.close();
  assets?.close();
});

/** Opens a page and waits for the widget; returns the session with uncaught page errors. */
async function open(name) {
  const session = await pageCapturingWhatsApp(browser);
  session.pageErrors = [];
  session.warnings = [];
  session.page.on("pageerror", (e) => session.pageErrors.push(e.message));
  session.page.on("console", (m) => m.type() === "warning" && session.warnings.push(m.text()));
  await session.page.goto(`${shop.url}/${name}`);
  await widgetReady(session.page);
  return session;
}

/** Checks out what is in the cart and returns the message's item lines. */
async function orderLines({ page, opened }) {
  await page.getByRole("button", { name: "Checkout" }).click();
  await page.getByLabel("Your name").fill("Anna");
  await page.getByRole("button", { name: "Send order on WhatsApp" }).click();
  await waitFor(() => opened.length === 1);
  return messageOf(opened[0]).split("\n").filter((line) => line.includes(" × "));
}

const orderButtons = (page) => page.locator(".chatout-auto button[data-chatout-add]");

test("WooCommerce: the @graph product, after its form's product block, ordered at its price", async () => {
  const session = await open("woocommerce.html");
  const { page } = session;
  await assert.doesNotReject(orderButtons(page).first().waitFor());
  assert.equal(await orderButtons(page).count(), 1);
  // Woo's form posts to the page, not to a cart URL: the button ends the page's main.
  assert.equal(await page.locator("main > .chatout-auto").count(), 1);
  await page.getByRole("button", { name: "Order on WhatsApp" }).click();
  assert.deepEqual(await orderLines(session), ["1 × Linen shirt — €29.90"]);
  assert.deepEqual(session.pageErrors, []);
});

test("Shopify Dawn: offers are variants, the sold-out one left out, after the /cart/add form", async () => {
  const session = await open("shopify-dawn.html");
  const { page } = session;
  await orderButtons(page).first().waitFor();
  assert.equal(await page.locator('form[action="/cart/add"] + .chatout-auto').count(), 1);
  const variant = page.getByRole("combobox", { name: "Variant" });
  assert.deepEqual(await variant.locator("option").allTextContents(), ["TOTE-NAT", "TOTE-BLK"]);
  await variant.selectOption({ label: "TOTE-BLK" });
  await page.getByRole("button", { name: "Order on WhatsApp" }).click();
  await page.keyboard.press("Escape");
  await variant.selectOption({ label: "TOTE-NAT" });
  await page.getByRole("button", { name: "Order on WhatsApp" }).click();
  assert.deepEqual(await orderLines(session), [
    "1 × Canvas tote (Variant: TOTE-BLK) — €17.50",
    "1 × Canvas tote (Variant: TOTE-NAT) — €15.00",
  ]);
  assert.deepEqual(session.pageErrors, []);
});

test("Magento: microdata with meta prices, after the checkout/cart/add form", async () => {
  const session = await open("magento.html");
  const { page } = session;
  await orderButtons(page).first().waitFor();
  assert.equal(await page.locator("#product_addtocart_form + .chatout-auto").count(), 1);
  await page.getByRole("button", { name: "Order on WhatsApp" }).click();
  assert.deepEqual(await orderLines(session), ["1 × Stoneware mug — €12.50"]);
});

test("microdata only: each product in its own element, a sold-out one offers the alert", async () => {
  const session = await open("microdata.html");
  const { page } = session;
  await orderButtons(page).first().waitFor();
  const sencha = page.locator("li", { hasText: "Sencha" });
  const genmaicha = page.locator("li", { hasText: "Genmaicha" });
  assert.equal(await sencha.locator(".chatout-auto button[data-chatout-add]").count(), 1);
  assert.equal(await genmaicha.locator("button[data-chatout-add]").count(), 0, "sold out: nothing to add");
  assert.equal(await genmaicha.locator("button[data-chatout-notify]").count(), 1);
  await sencha.getByRole("button", { name: "Order on WhatsApp" }).click();
  await sencha.getByRole("button", { name: "Order on WhatsApp" }).click();
  assert.deepEqual(await orderLines(session), ["2 × Sencha — €9.00"]);
});

test("markup added later, as a single-page shop renders a product, gets its button", async () => {
  const session = await open("spa.html");
  const { page } = session;
  await page.evaluate(() => {
    const app = document.getElementById("app");
    app.innerHTML = `<article itemscope itemtype="https://schema.org/Product"><h1 itemprop="name">Late candle</h1>
      <meta itemprop="sku" content="LATE-1"><div itemprop="offers" itemscope itemtype="https://schema.org/Offer">
      <meta itemprop="price" content="8.00"><meta itemprop="priceCurrency" content="EUR"></div></article>`;
  });
  await page.getByRole("button", { name: "Order on WhatsApp" }).click();
  assert.deepEqual(await orderLines(session), ["1 × Late candle — €8.00"]);
  // Read once: another change of the page adds no second button.
  await page.evaluate(() => document.body.append(document.createElement("p")));
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(await orderButtons(page).count(), 1);
});

test("broken and hostile markup never throws and never adds a wrong price", async () => {
  const session = await open("broken.html");
  const { page } = session;
  await page.evaluate(() => { window.pwned = false; });
  await orderButtons(page).first().waitFor();
  // Only the hostile-named product has a price that reads, in the shop's currency.
  assert.equal(await orderButtons(page).count(), 1);
  assert.equal(await page.locator("img[src=x]").count(), 0);
  await orderButtons(page).first().click();
  assert.deepEqual(await orderLines(session), ['1 × <img src=x onerror="window.pwned=true"> Bold & "quoted" — €5.00']);
  assert.equal(await page.evaluate(() => window.pwned), false);
  assert.deepEqual(session.pageErrors, []);
  for (const expected of [/does not read as JSON/, /Ranged.*AggregateOffer/, /Dollars.*USD/, /Comma.*19,99/, /Negative.*-5/, /Too precise.*1\.005/]) {
    assert.ok(session.warnings.some((w) => expected.test(w)), `${expected} in ${session.warnings.join(" | ")}`);
  }
});
