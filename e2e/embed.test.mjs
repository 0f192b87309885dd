// How the widget sits in a shop's page: lazy loading, the JS API and events, several tabs,
// theming, and a page whose CSP blocks WebAssembly.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { serve, demoPage, launch, pageCapturingWhatsApp, messageOf, waitFor, widgetReady } from "./harness.mjs";

let assets, shop, browser;

const tag = (attributes) => (html) => html.replace('data-shop="Zeegras Home"', `data-shop="Zeegras Home" ${attributes}`);
// An image that takes a while, so the page's load event comes late and measurably.
const slowImage = (html) => html.replace("</body>", '<img src="/slow.svg" alt="" width="1" height="1"></body>');
const SVG = '<svg xmlns="http://www.w3.org/2000/svg" width="1" height="1"/>';

before(async () => {
  assets = await serve();
  const pages = {
    "/index.html": await demoPage(assets.url),
    "/interaction.html": await demoPage(assets.url, tag('data-load="interaction"')),
    "/slow.html": await demoPage(assets.url, slowImage),
    "/dark.html": await demoPage(assets.url),
    "/light.html": await demoPage(assets.url, tag('data-theme="light"')),
    "/no-wasm.html": await demoPage(assets.url),
    "/ga4.html": await demoPage(assets.url, tag('data-analytics="ga4"')),
    "/hours.html": await demoPage(assets.url,
      tag('data-hours="Mon-Fri 09:00-17:00; Sat 10:00-14:00" data-timezone="Europe/Amsterdam"')),
    "/slow.svg": SVG,
  };
  // No 'wasm-unsafe-eval': the widget cannot start, the button must still reach WhatsApp.
  const noWasm = `default-src 'self'; script-src 'self' 'unsafe-inline' ${assets.url}; connect-src 'self' ${assets.url}; style-src 'self' 'unsafe-inline'`;
  shop = await serve(pages, {
    headers: { "/no-wasm.html": { "Content-Security-Policy": noWasm } },
    delays: { "/slow.svg": 700 },
  });
  browser = await launch();
});

after(async () => {
  await browser?.close();
  shop?.close();
  assets?.close();
});

async function open(path, options) {
  const session = await pageCapturingWhatsApp(browser, options);
  const wasm = [];
  session.page.on("request", (r) => r.url().endsWith(".wasm") && wasm.push(r.url()));
  // chatout:error details, collected from before the page's first script runs.
  const errors = [];
  await session.page.exposeFunction("reportChatoutError", (detail) => errors.push(detail));
  await session.page.addInitScript(() => {
    document.addEventListener("chatout:error", (e) => window.reportChatoutError(e.detail));
    // Every chatout event in order, as [name, detail].
    window.seen = [];
    for (const name of ["ready", "add", "remove", "open", "close", "checkout", "sent", "error"]) {
      document.addEventListener(`chatout:${name}`, (e) => window.seen.push([name, e.detail]));
    }
  });
  await session.page.goto(shop.url + path);
  return { ...session, wasm, errors };
}

test("with data-load=interaction nothing loads before an interaction, and the first click still counts", async () => {
  const { page, wasm, context } = await open("/interaction.html");
  await page.locator(".chatout-launcher").waitFor();
  await page.waitForLoadState("load");
  await page.waitForTimeout(1500); // idle time in which the default mode would have loaded
  assert.deepEqual(wasm, [], "no wasm request before any interaction");
  assert.equal(await page.evaluate(() => typeof window.Chatout), "undefined");

  // The very first interaction is a click on "Cart": the panel opens once the widget is up.
  await page.locator("a[data-chatout-open]").click();
  await assert.doesNotReject(page.getByRole("dialog").waitFor());
  // The main module opened the panel; the checkout's modules are fetched while the shopper
  // looks at the cart, the back-in-stock form's and the schema.org reader's are not.
  const name = (url) => new URL(url).pathname.split("/").pop();
  assert.equal(name(wasm[0]), "chatout-widget_bg.wasm");
  await waitFor(() => wasm.some((url) => name(url) === "chatout-checkout.wasm"));
  await page.waitForTimeout(300);
  assert.deepEqual(wasm.map(name).filter((f) => /notify|schema/.test(f)), []);
  assert.equal(wasm.filter((url) => name(url) === "chatout-widget_bg.wasm").length, 1);
  await context.close();
});

test("a checkout module that cannot be fetched says so, keeps the cart, and loads on Try again", async () => {
  const { page, opened, context } = await open("/index.html");
  let blocked = 0;
  await page.route("**/chatout-checkout.wasm", (route) => { blocked++; return route.abort(); });
  await widgetReady(page);
  await page.locator("button[data-sku=mug-stoneware]").click();
  await page.getByRole("button", { name: "Checkout" }).click();
  const problem = page.getByTestId("load-problem");
  await problem.waitFor();
  assert.match(await problem.textContent(), /could not be loaded\. Your cart is kept/);
  assert.ok(blocked >= 1);
  assert.equal(await page.getByLabel("Your name").count(), 0);

  // The connection is back, slowly: the same click fetches it again, the panel is busy
  // meanwhile, and the form appears, focused.
  await page.unroute("**/chatout-checkout.wasm");
  await page.route("**/chatout-checkout.wasm", async (route) => {
    await new Promise((r) => setTimeout(r, 600));
    return route.continue();
  });
  await problem.getByRole("button", { name: "Try again" }).click();
  const dialog = page.getByRole("dialog");
  await assert.doesNotReject(() => waitFor(async () => (await dialog.getAttribute("aria-busy")) === "true"));
  await page.getByLabel("Your name").waitFor();
  await assert.doesNotReject(() => waitFor(async () => (await dialog.getAttribute("aria-busy")) === null));
  const nameFocused = () => page.getByLabel("Your name").evaluate((el) => el.getRootNode().activeElement === el);
  await assert.doesNotReject(() => waitFor(nameFocused), "focus moves to the form's first field once it is there");
  await page.getByLabel("Your name").fill("Anna");
  await page.getByLabel("Pickup").check();
  await page.getByLabel("Cash on delivery").check();
  await page.getByRole("button", { name: "Send order on WhatsApp" }).click();
  await waitFor(() => opened.length === 1);
  assert.match(messageOf(opened[0]), /1 × Stoneware mug/);
  // The sent step comes from the same module: nothing more to fetch.
  await page.getByRole("button", { name: "Copy message" }).waitFor();
  await context.close();
});

test("a click on the loader's button before the widget is up opens the chat", async () => {
  const { page, opened, context } = await open("/interaction.html");
  await page.locator(".chatout-launcher").click();
  await assert.doesNotReject(() => waitFor(() => opened.length === 1));
  assert.equal(new URL(opened[0]).pathname, "/31612345678");
  assert.match(messageOf(opened[0]), /^Hi Zeegras Home, I have a question about/);
  await context.close();
});

test("by default the widget loads only after the page's load event", async () => {
  const { page, wasm, context } = await open("/slow.html");
  await widgetReady(page);
  const { loadEnd, wasmStart } = await page.evaluate(() => ({
    loadEnd: performance.getEntriesByType("navigation")[0].loadEventEnd,
    wasmStart: performance.getEntriesByType("resource").find((e) => e.name.endsWith(".wasm"))?.startTime,
  }));
  assert.equal(wasm.length, 1);
  assert.ok(loadEnd > 600, `the slow image delays the load event (${loadEnd} ms)`);
  assert.ok(wasmStart >= loadEnd, `wasm requested at ${wasmStart} ms, load event ended at ${loadEnd} ms`);
  await context.close();
});

test("every JS API method works and every event is dispatched", async () => {
  const { page, opened, context } = await open("/");
  await widgetReady(page);
  const result = await page.evaluate(() => {
    const C = window.Chatout;
    const tote = C.add({ sku: "tote", name: "Canvas tote", price: "15.00", quantity: 2 });
    const mug = C.add({ sku: "mug", name: "Mug", price: 1250, options: { Glaze: "Sea", Size: "L" }, maxQuantity: 4 });
    const errors = [];
    for (const bad of [{ sku: "x", name: "X", price: 12.5 }, { sku: "x", name: "X" }, "nope",
                       { sku: "x", name: "X", price: "19,99" }, { sku: "x", name: "X", price: 1, options: { Size: 3 } }]) {
      try { C.add(bad); errors.push(null); } catch (e) { errors.push(e.message); }
    }
    C.setQuantity(mug, 3);
    let tooMany = null;
    try { C.setQuantity(mug, 9); } catch (e) { tooMany = e.message; }
    const before = C.cart();
    C.remove(tote);
    const after = C.cart();
    C.close();
    C.open();
    C.clear();
    return { tote, mug, errors, tooMany, before, after, cleared: C.cart(), frozen: Object.isFrozen(C) };
  });
  assert.equal(result.frozen, true);
  assert.deepEqual(result.before, {
    currency: "EUR",
    items: [
      { lineId: result.tote, sku: "tote", name: "Canvas tote", options: {}, unitPrice: 1500, quantity: 2 },
      { lineId: result.mug, sku: "mug", name: "Mug", options: { Glaze: "Sea", Size: "L" }, unitPrice: 1250, quantity: 3 },
    ],
    subtotal: 6750,
  });
  assert.deepEqual(result.after.items.map((i) => i.sku), ["mug"]);
  assert.deepEqual(result.cleared, { currency: "EUR", items: [], subtotal: 0 });
  assert.match(result.errors[0], /^Chatout\.add: price: not a whole number of minor units/);
  assert.match(result.errors[1], /^Chatout\.add: price is required/);
  assert.match(result.errors[2], /^Chatout\.add: expects an object/);
  assert.match(result.errors[3], /^Chatout\.add: price: /);
  assert.match(result.errors[4], /^Chatout\.add: options\.Size must be a string/);
  assert.match(result.tooMany, /^Chatout\.setQuantity: /);

  const names = (await page.evaluate(() => window.seen)).map(([name]) => name);
  assert.deepEqual(names, ["ready", "add", "open", "add", ...Array(5).fill("error"), "remove", "close", "open", "remove"]);

  // chatout:checkout can stop the send; without the listener's veto it goes through.
  await page.evaluate(() => {
    window.veto = true;
    document.addEventListener("chatout:checkout", (e) => window.veto && e.preventDefault());
    window.Chatout.add({ sku: "tote", name: "Canvas tote", price: 1500 });
  });
  await page.getByRole("button", { name: "Checkout" }).click();
  await page.getByLabel("Your name").fill("Anna");
  await page.getByLabel("Delivery address").fill("Keizersgracht 1");
  await page.getByLabel("Bank transfer").check();
  await page.getByRole("button", { name: "Send order on WhatsApp" }).click();
  await assert.doesNotReject(() => waitFor(() => page.evaluate(() => window.seen.some(([n]) => n === "checkout"))));
  assert.equal(opened.length, 0, "a cancelled checkout sends nothing");
  assert.equal((await page.evaluate(() => window.Chatout.cart())).items.length, 1, "and keeps the cart");
  const checkout = (await page.evaluate(() => window.seen)).find(([n]) => n === "checkout")[1];
  assert.equal(checkout.subtotal, 1500);
  assert.equal(checkout.items[0].sku, "tote");
  assert.match(checkout.whatsapp_url, /^https:\/\/wa\.me\/31612345678\?text=/);

  await page.evaluate(() => { window.veto = false; });
  await page.getByRole("button", { name: "Send order on WhatsApp" }).click();
  await assert.doesNotReject(() => waitFor(() => opened.length === 1));
  const sent = (await page.evaluate(() => window.seen)).find(([n]) => n === "sent")[1];
  assert.equal(sent.url, opened[0]);
  assert.match(sent.reference, /^[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}$/);

  // chat(message) opens a plain chat with that message.
  await page.evaluate(() => window.Chatout.chat("Is the tote in stock?"));
  await assert.doesNotReject(() => waitFor(() => opened.length === 2));
  assert.equal(messageOf(opened[1]), "Is the tote in stock?");
  await context.close();
});

test("tabs of one shop share the cart", async () => {
  const { page, context } = await open("/");
  const other = await context.newPage();
  await other.goto(shop.url + "/");
  await widgetReady(page);
  await widgetReady(other);
  await page.locator("article", { hasText: "Stoneware mug" }).getByRole("button").click();
  await assert.doesNotReject(other.locator("[data-chatout-count]").filter({ hasText: "1" }).waitFor());
  assert.equal(await other.locator("[data-chatout-subtotal]").textContent(), "€12.50");
  await other.evaluate(() => window.Chatout.clear());
  await assert.doesNotReject(page.locator("[data-chatout-count]").filter({ hasText: "0" }).waitFor());
  await context.close();
});

test("the panel follows the shopper's dark mode unless the shop forces a theme", async () => {
  const background = async (path) => {
    const { page, context } = await open(path, { colorScheme: "dark" });
    await widgetReady(page);
    await page.evaluate(() => window.Chatout.open());
    const color = await page.locator(".chatout-panel").evaluate((el) => getComputedStyle(el).backgroundColor);
    await context.close();
    return color;
  };
  assert.equal(await background("/dark.html"), "rgb(31, 44, 51)");
  assert.equal(await background("/light.html"), "rgb(255, 255, 255)");
});

test("without 'wasm-unsafe-eval' the page gets one clear error and the button still opens a chat", async () => {
  const { page, opened, consoleErrors, errors, context } = await open("/no-wasm.html");
  await page.locator(".chatout-launcher").click();
  await assert.doesNotReject(() => waitFor(() => opened.length === 1));
  assert.equal(new URL(opened[0]).pathname, "/31612345678");
  const ours = consoleErrors.filter((e) => e.startsWith("Chatout:"));
  assert.equal(ours.length, 1, ours.join("\n"));
  assert.match(ours[0], /wasm-unsafe-eval/);
  await assert.doesNotReject(() => waitFor(() => errors.length === 1));
  assert.equal(errors[0].code, "load_failed");
  // The host page's own chat link works too.
  await page.locator("a[data-chatout-chat]").click();
  await assert.doesNotReject(() => waitFor(() => opened.length === 2));
  assert.equal(messageOf(opened[1]), "Hi! Do you deliver to Belgium?");
  await context.close();
});

test("with analytics=ga4 the shop's dataLayer gets GA4 ecommerce events, and nothing otherwise", async () => {
  const { page, opened, context } = await open("/ga4.html");
  await widgetReady(page);
  const shirt = page.locator("article", { hasText: "Linen shirt" });
  await shirt.getByRole("button").click();
  await shirt.getByRole("button").click();
  await page.locator("article", { hasText: "Stoneware mug" }).getByRole("button").click();
  await page.getByRole("button", { name: "Remove: Stoneware mug" }).click();
  await page.getByRole("button", { name: "Checkout" }).click();
  await page.getByLabel("Your name").fill("Anna");
  await page.getByLabel("Delivery address").fill("Keizersgracht 1");
  await page.getByLabel("Bank transfer").check();
  await page.getByRole("button", { name: "Send order on WhatsApp" }).click();
  await assert.doesNotReject(() => waitFor(() => opened.length === 1));
  const layer = await page.evaluate(() => window.dataLayer);
  const events = layer.filter((e) => e.event);
  assert.deepEqual(events.map((e) => e.event),
    ["add_to_cart", "view_cart", "add_to_cart", "add_to_cart", "remove_from_cart", "begin_checkout", "generate_lead"]);
  assert.equal(layer.filter((e) => e.ecommerce === null).length, events.length, "each event clears the previous ecommerce object");
  const shirtItem = { item_id: "shirt-linen", item_name: "Linen shirt", item_variant: "M / Sand", price: 29.9, quantity: 1, index: 0 };
  assert.deepEqual(events[0].ecommerce, { currency: "EUR", value: 29.9, items: [shirtItem] });
  assert.deepEqual(events[4].ecommerce.items[0], { item_id: "mug-stoneware", item_name: "Stoneware mug", price: 12.5, quantity: 1, index: 0 });
  const lead = events[6].ecommerce;
  assert.equal(lead.value, 59.8);
  assert.deepEqual(lead.items, [{ ...shirtItem, quantity: 2 }]);
  const sent = (await page.evaluate(() => window.seen)).find(([n]) => n === "sent")[1];
  assert.equal(lead.transaction_id, sent.reference);
  await context.close();

  // The demo without the setting: no dataLayer, and storage holds the cart only.
  const plain = await open("/");
  await widgetReady(plain.page);
  await plain.page.locator("article", { hasText: "Stoneware mug" }).getByRole("button").click();
  await plain.page.getByRole("dialog").waitFor();
  assert.equal(await plain.page.evaluate(() => typeof window.dataLayer), "undefined");
  assert.deepEqual(await plain.page.evaluate(() => Object.keys(localStorage)), ["chatout.cart.v1"]);
  assert.deepEqual(await plain.page.evaluate(() => document.cookie), "");
  await plain.context.close();
});

test("opening hours in the shop's time zone say when to expect a reply", async () => {
  // The shopper is in New York; the shop's hours are Amsterdam's.
  const statusAt = async (iso) => {
    const session = await pageCapturingWhatsApp(browser, { timezoneId: "America/New_York" });
    await session.page.clock.setFixedTime(new Date(iso));
    await session.page.goto(shop.url + "/hours.html");
    await widgetReady(session.page);
    await session.page.evaluate(() => window.Chatout.open());
    const text = await session.page.locator(".chatout-status").textContent();
    await session.context.close();
    return text;
  };
  // Wednesday 10:00 in Amsterdam (04:00 in New York): open.
  assert.equal(await statusAt("2026-11-25T09:00:00Z"), "Usually replies within an hour");
  // Wednesday 17:30 in Amsterdam (11:30 in New York, well within New York's own day): closed.
  assert.equal(await statusAt("2026-11-25T16:30:00Z"), "We're offline now; we'll reply from Thursday 09:00 AM");
  // Saturday 15:00 in Amsterdam: closed until Monday.
  assert.equal(await statusAt("2026-11-28T14:00:00Z"), "We're offline now; we'll reply from Monday 09:00 AM");
});
