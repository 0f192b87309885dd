// From the first click (an "Add to cart") to the open panel, on a cold cache, with `data-load="interaction"`, under
// Lighthouse's mobile throttling (1.6 Mbit/s down, 750 kbit/s up, 150 ms round trip, 4× CPU
// slowdown) in headless Chromium: the figure issue 20 asks for, before and after splitting the
// wasm. Each run is a fresh browser context (nothing cached); prints every run, the median and
// the bytes fetched from the widget's origin. Asserts nothing.
//   node bench/click-to-panel.mjs [runs]      (after `cargo xtask dist`)
import { serve, demoPage, launch } from "../e2e/harness.mjs";

const runs = Number(process.argv[2] ?? 10);
// Compressed, as a CDN serves them.
const assets = await serve({}, { gzip: true });
const interactionOnly = (html) => html.replace('data-shop="Zeegras Home"', 'data-shop="Zeegras Home" data-load="interaction"');
const shop = await serve({ "/interaction.html": await demoPage(assets.url, interactionOnly) }, { gzip: true });
const browser = await launch();
const times = [];
let bytes = 0;
for (let run = 0; run < runs; run++) {
  const context = await browser.newContext({ viewport: { width: 412, height: 823 }, isMobile: true, hasTouch: true });
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send("Network.enable");
  await cdp.send("Network.setCacheDisabled", { cacheDisabled: true });
  await cdp.send("Network.emulateNetworkConditions", {
    offline: false, latency: 150, downloadThroughput: (1.6 * 1024 * 1024) / 8, uploadThroughput: (750 * 1024) / 8,
  });
  await cdp.send("Emulation.setCPUThrottlingRate", { rate: 4 });
  let fetched = 0;
  cdp.on("Network.loadingFinished", (e) => { fetched += e.encodedDataLength; });
  await page.goto(shop.url + "/interaction.html", { waitUntil: "load" });
  // The loader's own button is there before anything else loads; the first interaction is an
  // "Add to cart", which the loader holds and replays: the panel opens with the product.
  await page.locator("#chatout-root .chatout-launcher").waitFor();
  const add = page.locator("article", { hasText: "Stoneware mug" }).locator("button[data-chatout-add]");
  const before = fetched;
  const started = Date.now();
  await add.click();
  await page.locator("#chatout-root [role=dialog]").waitFor({ timeout: 60_000 });
  times.push(Date.now() - started);
  bytes = fetched - before;
  await context.close();
}
await browser.close();
shop.close();
assets.close();
const sorted = [...times].sort((a, b) => a - b);
const median = (sorted[Math.floor((runs - 1) / 2)] + sorted[Math.ceil((runs - 1) / 2)]) / 2;
console.log(`click to open panel (ms), ${runs} cold runs: ${times.join(", ")}`);
console.log(`median ${median} ms (min ${sorted[0]}, max ${sorted[runs - 1]}); fetched after the click: ${(bytes / 1024).toFixed(1)} KB on the wire`);
