// docs/screenshot.png for the README: the built demo store with a filled cart, in headless Chromium.
import path from "node:path";
import { serve, demoPage, launch, widgetReady } from "./harness.mjs";

const out = path.resolve(import.meta.dirname, "..", "docs", "screenshot.png");
const assets = await serve();
const shop = await serve({ "/index.html": await demoPage(assets.url) });
const browser = await launch();
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 820 } });
  await page.goto(shop.url);
  await widgetReady(page);
  await page.getByRole("button", { name: "Add to cart" }).first().click();
  await page.getByRole("button", { name: "Add 3 sachets" }).click();
  await page.locator("article", { hasText: "Soy candle" }).getByRole("button").click();
  await page.getByRole("button", { name: "One more: Linen shirt" }).click();
  await page.screenshot({ path: out });
  console.log(`wrote ${out}`);
} finally {
  await browser.close();
  shop.close();
  assets.close();
}
