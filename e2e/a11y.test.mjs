// Accessibility: axe-core (run inside the page, shadow root included) finds nothing on the
// closed widget, the open cart and the checkout form; and a whole checkout works by keyboard.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { serve, demoPage, launch, pageCapturingWhatsApp, messageOf, waitFor, widgetReady } from "./harness.mjs";

const AXE = createRequire(import.meta.url).resolve("axe-core/axe.min.js");
let assets, shop, browser;

before(async () => {
  assets = await serve();
  shop = await serve({ "/index.html": await demoPage(assets.url) });
  browser = await launch();
});

after(async () => {
  await browser?.close();
  shop?.close();
  assets?.close();
});

/** axe's violations in the whole page (WCAG 2.x A and AA), as readable lines. */
async function violations(page) {
  await page.addScriptTag({ path: AXE });
  const result = await page.evaluate(() => window.axe.run(document, {
    runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"] },
  }));
  return result.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(" >> ")).join(", ")}`);
}

test("axe finds no violations on the closed widget, the open cart and the checkout form", async () => {
  for (const colorScheme of ["light", "dark"]) {
    const { page, context } = await pageCapturingWhatsApp(browser, { colorScheme });
    await page.goto(shop.url + "/");
    await widgetReady(page);
    assert.deepEqual(await violations(page), [], `closed (${colorScheme})`);

    await page.locator("article", { hasText: "Linen shirt" }).getByRole("button").click();
    await page.getByRole("dialog").waitFor();
    assert.deepEqual(await violations(page), [], `cart (${colorScheme})`);

    await page.getByRole("button", { name: "Checkout" }).click();
    await page.getByRole("button", { name: "Send order on WhatsApp" }).click(); // shows the errors too
    await page.locator(".chatout-error").first().waitFor();
    assert.deepEqual(await violations(page), [], `checkout with errors (${colorScheme})`);
    await context.close();
  }
});

test("a whole checkout works by keyboard alone, with focus kept in the panel", async () => {
  const { page, opened, context } = await pageCapturingWhatsApp(browser);
  await page.goto(shop.url + "/");
  await widgetReady(page);
  const focused = () => page.evaluate(() => {
    const host = document.activeElement;
    const inner = host?.shadowRoot?.activeElement ?? host;
    return inner.getAttribute("aria-label") || inner.labels?.[0]?.textContent.trim()
      || inner.textContent.trim().slice(0, 40) || inner.tagName;
  });

  // Tab to the mug's "Add to cart" and press Enter: the panel opens with focus inside.
  await page.locator("article", { hasText: "Stoneware mug" }).getByRole("button").focus();
  await page.keyboard.press("Enter");
  const dialog = page.getByRole("dialog");
  await dialog.waitFor();
  assert.equal(await page.evaluate(() => document.activeElement.id), "chatout-root", "focus moved into the widget");
  assert.equal(await page.locator("[role=status]").textContent(), "Stoneware mug ✓", "the addition is announced");

  // Tab cycles inside the dialog: forwards from the last control to the first, and back.
  const stops = [];
  for (let i = 0; i < 8; i++) {
    await page.keyboard.press("Tab");
    stops.push(await focused());
  }
  assert.ok(stops.every((s) => s !== "BODY"), stops.join(" | "));
  const first = stops[0];
  assert.ok(stops.indexOf(first, 1) > 0, `Tab wraps around inside the panel: ${stops.join(" | ")}`);
  await page.keyboard.press("Shift+Tab");
  assert.notEqual(await focused(), "BODY");

  // Escape closes and focus returns to the button; Enter on it opens the cart again.
  await page.keyboard.press("Escape");
  await dialog.waitFor({ state: "detached" });
  assert.match(await focused(), /cart/i, "focus is back on the floating button");
  await page.keyboard.press("Enter");
  await dialog.waitFor();

  // To the checkout button, then through the form, by keyboard only.
  const tabTo = async (label) => {
    for (let i = 0; i < 25; i++) {
      if ((await focused()) === label) return;
      await page.keyboard.press("Tab");
    }
    throw new Error(`could not Tab to "${label}"`);
  };
  await tabTo("Checkout");
  await page.keyboard.press("Enter");
  await page.keyboard.type("Kim Jansen"); // focus starts in the first field: the name
  // Radio groups: Tab reaches the group, arrows choose within it.
  await tabTo("Shipping to my address");
  await page.keyboard.press("ArrowDown");
  assert.equal(await focused(), "Pickup");
  await tabTo("Bank transfer");
  await page.keyboard.press("ArrowDown");
  await page.keyboard.press("ArrowDown");
  assert.equal(await focused(), "Cash on delivery");
  await tabTo("Send order on WhatsApp");
  await page.keyboard.press("Enter");
  await assert.doesNotReject(() => waitFor(() => opened.length === 1));
  const message = messageOf(opened[0]);
  assert.ok(message.includes("1 × Stoneware mug — €12.50"), message);
  assert.ok(message.includes("*Name:* Kim Jansen"), message);
  assert.ok(message.includes("*Payment:* Cash on delivery"), message);
  await context.close();
});
