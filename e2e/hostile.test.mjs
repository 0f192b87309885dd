// A shop theme written without the widget in mind, at its worst: global resets that unset
// everything and hide every button, overlays with huge z-indexes, a strict Content-Security-
// Policy (no inline styles or scripts; only 'wasm-unsafe-eval' added for the widget), and a
// single-page app that renders its product buttons long after the widget started.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { serve, launch, pageCapturingWhatsApp, messageOf, waitFor, widgetReady } from "./harness.mjs";

let assets, shop, browser;

const CSS = `
* { all: unset !important; }
button { display: none !important; }
html, body, main, nav, div, p { display: block !important; }
.sticky { position: fixed !important; left: 0 !important; right: 0 !important; bottom: 0 !important;
          height: 200px !important; z-index: 2147483646 !important; background: #c00 !important; }
.veil { position: fixed !important; inset: 0 !important; z-index: 999999999 !important;
        pointer-events: none !important; background: rgba(0,0,0,.05) !important; }
`;

// The app renders products a while after navigation, as client-side routers do.
const SPA = `
document.getElementById("go").addEventListener("click", function (event) {
  event.preventDefault();
  history.pushState({}, "", "/products");
  setTimeout(function () {
    var view = document.getElementById("view");
    view.innerHTML = '<p>Rain jacket</p><a href="#" data-chatout-add data-sku="jacket" ' +
      'data-name="Rain jacket" data-price="89.00" data-options="Size=L">Add jacket</a>' +
      '<p>Cart: <span data-chatout-count>?</span></p>';
  }, 400);
});
`;

const page = (assetsUrl) => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Hostile theme</title>
<link rel="stylesheet" href="/hostile.css"></head>
<body>
<nav><a id="go" href="/products">Products</a></nav>
<main id="view"><p>Welcome</p></main>
<div class="sticky">Cookie bar that sits over everything</div>
<div class="veil"></div>
<script src="/spa.js"></script>
<script src="${assetsUrl}/chatout.js" async data-phone="+31 6 1234 5678" data-shop="Hostile Shop"
        data-delivery="pickup" data-payment="cash_on_delivery" data-locale="en"></script>
</body></html>`;

before(async () => {
  assets = await serve();
  const csp = [
    "default-src 'self'",
    `script-src 'self' ${assets.url} 'wasm-unsafe-eval'`,
    `connect-src 'self' ${assets.url}`,
    "style-src 'self'",
    "img-src 'self' data:",
  ].join("; ");
  shop = await serve(
    { "/index.html": page(assets.url), "/hostile.css": CSS, "/spa.js": SPA },
    { headers: { "/index.html": { "Content-Security-Policy": csp } } },
  );
  browser = await launch();
});

after(async () => {
  await browser?.close();
  shop?.close();
  assets?.close();
});

test("a checkout works on a hostile page under a strict CSP", async () => {
  const { page: tab, opened, consoleErrors, context } = await pageCapturingWhatsApp(browser);
  const violations = [];
  await tab.exposeFunction("violation", (v) => violations.push(v));
  await tab.addInitScript(() => document.addEventListener("securitypolicyviolation",
    (e) => window.violation(`${e.violatedDirective} ${e.blockedURI}`)));
  await tab.goto(shop.url + "/");
  await widgetReady(tab);

  // The launcher is on top of the z-index overlays, visible and clickable where it should be.
  const launcher = tab.locator(".chatout-launcher");
  const box = await launcher.boundingBox();
  const viewport = tab.viewportSize();
  assert.ok(box.width === 60 && box.height === 60, `launcher is ${box.width}×${box.height}`);
  assert.ok(viewport.width - (box.x + box.width) === 20 && viewport.height - (box.y + box.height) === 20,
    "bottom right, 20px in");

  // Single-page navigation renders the product link later; the widget picks it up.
  await tab.locator("#go").click();
  await tab.locator("[data-chatout-add]").click();
  await assert.doesNotReject(tab.locator("[data-chatout-count]").filter({ hasText: "1" }).waitFor());
  const dialog = tab.getByRole("dialog");
  await dialog.waitFor();
  assert.equal(await dialog.evaluate((el) => getComputedStyle(el).backgroundColor), "rgb(255, 255, 255)");

  await tab.getByRole("button", { name: "Checkout" }).click();
  await tab.getByLabel("Your name").fill("Sam");
  await tab.getByRole("button", { name: "Send order on WhatsApp" }).click();
  await assert.doesNotReject(() => waitFor(() => opened.length === 1));
  const lines = messageOf(opened[0]).split("\n");
  assert.ok(lines.includes("1 × Rain jacket (Size: L) — €89.00"), lines.join("\n"));
  assert.ok(lines.includes("*Delivery:* Pickup"), lines.join("\n"));

  // The launcher takes a real click through the overlays (Playwright checks what is hit).
  await launcher.click({ timeout: 3000 });
  await assert.doesNotReject(dialog.waitFor({ state: "detached" }));

  assert.deepEqual(violations, [], "the widget needs nothing the CSP forbids");
  assert.deepEqual(consoleErrors, []);
  await context.close();
});
