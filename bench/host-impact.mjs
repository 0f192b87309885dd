// What the widget costs a shop's page, in headless Chromium: the demo page with and without the
// script tag, alternating, several rounds in one run. Prints figures; asserts nothing.
//   node bench/host-impact.mjs [rounds]      (after `cargo xtask dist`)
// - load-event time with / without (median), and the ratio: on loopback, and again with the
//   network emulated like a phone on 4G (40 ms latency, 9 Mbit/s down), as shoppers load pages;
// - long-task time (PerformanceObserver "longtask") up to 3 s after load, without interaction,
//   with the default loading and with data-load="interaction";
// - bytes (gzip) the page fetched from the widget's origin before any interaction, and after
//   the first click has opened the panel.
import { gzipSync } from "node:zlib";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { serve, demoPage, launch } from "../e2e/harness.mjs";

const rounds = Number(process.argv[2] ?? 10);
const DIST = path.resolve(import.meta.dirname, "..", "dist");
const assets = await serve();
const withoutWidget = (html) => html.replace(/<script src="[^"]*chatout\.js"[\s\S]*?<\/script>/, "");
const interactionOnly = (html) => html.replace('data-shop="Zeegras Home"', 'data-shop="Zeegras Home" data-load="interaction"');
const shop = await serve({
  "/with.html": await demoPage(assets.url),
  "/interaction.html": await demoPage(assets.url, interactionOnly),
  "/without.html": await demoPage(assets.url, withoutWidget),
});
const browser = await launch();

const gzipOf = new Map();
async function gzipBytes(url) {
  const name = new URL(url).pathname;
  if (!gzipOf.has(name)) gzipOf.set(name, gzipSync(await readFile(path.join(DIST, name)), { level: 9 }).length);
  return gzipOf.get(name);
}

// Like a phone on 4G: what a shop's visitors have, rather than loopback.
const FOUR_G = { offline: false, latency: 40, downloadThroughput: 9e6 / 8, uploadThroughput: 1.5e6 / 8 };

async function visit(page, { click = false, network = null } = {}) {
  const context = await browser.newContext();
  await context.addInitScript(() => {
    window.__longTasks = [];
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) window.__longTasks.push(entry.duration);
    }).observe({ type: "longtask", buffered: true });
  });
  const tab = await context.newPage();
  const fetched = [];
  tab.on("request", (r) => r.url().startsWith(assets.url) && fetched.push(r.url()));
  if (network) {
    const cdp = await context.newCDPSession(tab);
    await cdp.send("Network.enable");
    await cdp.send("Network.emulateNetworkConditions", network);
  }
  await tab.goto(shop.url + page, { waitUntil: "load" });
  await tab.waitForTimeout(3000); // idle: the default mode loads the widget in this time
  const load = await tab.evaluate(() => performance.getEntriesByType("navigation")[0].loadEventEnd);
  const longTasks = await tab.evaluate(() => window.__longTasks.reduce((a, b) => a + b, 0));
  let before = 0;
  for (const url of fetched) before += await gzipBytes(url);
  let after = before;
  if (click) {
    const count = fetched.length;
    await tab.locator("a[data-chatout-open]").click();
    await tab.getByRole("dialog").waitFor();
    after = 0;
    for (const url of fetched) after += await gzipBytes(url);
    if (fetched.length === count) throw new Error("the click fetched nothing");
  }
  await context.close();
  return { load, longTasks, before, after };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const runs = { without: [], with: [], interaction: [], without4g: [], with4g: [] };
for (let i = 0; i < rounds; i++) {
  runs.without.push(await visit("/without.html"));
  runs.with.push(await visit("/with.html"));
  runs.interaction.push(await visit("/interaction.html", { click: i === 0 }));
  runs.without4g.push(await visit("/without.html", { network: FOUR_G }));
  runs.with4g.push(await visit("/with.html", { network: FOUR_G }));
}
const stat = (key, field) => median(runs[key].map((r) => r[field]));
const kb = (bytes) => `${(bytes / 1024).toFixed(1)} KB`;
const ms = (x) => `${x.toFixed(1)} ms`;

console.log(`Host-page impact, ${rounds} rounds each, medians (headless Chromium, loopback):`);
console.log(`  load event   without widget ${ms(stat("without", "load"))}, with ${ms(stat("with", "load"))}` +
  `, ratio ${(stat("with", "load") / stat("without", "load")).toFixed(3)} (target <= 1.05)`);
console.log(`               data-load=interaction ${ms(stat("interaction", "load"))}` +
  `, ratio ${(stat("interaction", "load") / stat("without", "load")).toFixed(3)}`);
console.log(`  load event on emulated 4G: without ${ms(stat("without4g", "load"))}, with ${ms(stat("with4g", "load"))}` +
  `, ratio ${(stat("with4g", "load") / stat("without4g", "load")).toFixed(3)}`);
console.log(`  long tasks in 3 s after load, no interaction: without ${ms(stat("without", "longTasks"))}, ` +
  `default ${ms(stat("with", "longTasks"))}, data-load=interaction ${ms(stat("interaction", "longTasks"))}`);
console.log(`  bytes from the widget's origin (gzip): before interaction ${kb(runs.interaction[0].before)} ` +
  `(target <= 3 KB); after the first click ${kb(runs.interaction[0].after)} (target <= 100 KB)`);

await browser.close();
shop.close();
assets.close();
