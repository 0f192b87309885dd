// What the widget costs a shop's page, in headless Chromium: the demo page with and without the
// script tag, in a fresh random order each round, several rounds in one run. Prints figures; asserts nothing.
//   node bench/host-impact.mjs [rounds]      (after `cargo xtask dist`)
// Two host pages: the bare demo store (about 10 KB, loads in well under 100 ms, so any second
// script is a large share of it), and the same store with a typical theme's weight added
// (THEME below), closer to the pages shops really have.
// - load-event time with / without (median), and the ratio: on loopback, and again with the
//   network emulated like a phone on 4G (40 ms latency, 9 Mbit/s down), as shoppers load pages;
// - long-task time (PerformanceObserver "longtask") up to 3 s after load, without interaction,
//   with the default loading and with data-load="interaction";
// - bytes (gzip) the page fetched from the widget's origin before any interaction, and after
//   the first click has opened the panel.
import { randomBytes } from "node:crypto";
import { gzipSync } from "node:zlib";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { serve, demoPage, launch } from "../e2e/harness.mjs";

const rounds = Number(process.argv[2] ?? 20);
const DIST = path.resolve(import.meta.dirname, "..", "dist");
const assets = await serve();
const withoutWidget = (html) => html.replace(/<script src="[^"]*chatout\.js"[\s\S]*?<\/script>/, "");
const interactionOnly = (html) => html.replace('data-shop="Zeegras Home"', 'data-shop="Zeegras Home" data-load="interaction"');

// A theme's weight, from the shop's own origin: one 200 KB script (parsed and run before the
// load event), 60 KB of CSS and twelve 60 KB product photos, about 1 MB in all. (HTTP Archive's
// median mobile page is about 2 MB; a lean theme is lighter.) The photos are random bytes: the
// browser downloads them all before `load` whether or not they decode.
const THEME = { "/theme/app.js": "", "/theme/theme.css": "" };
for (let i = 0; i < 5000; i++) THEME["/theme/app.js"] += `window.t${i}=function(a){return a*${i}+1};`;
THEME["/theme/app.js"] += "for(let i=0;i<5000;i++)window['t'+i](i);";
for (let i = 0; i < 2000; i++) THEME["/theme/theme.css"] += `.p${i}{margin:${i % 9}px;color:#${(i * 7919) % 4096}}`;
for (let i = 0; i < 12; i++) THEME[`/theme/photo${i}.jpg`] = randomBytes(60 * 1024);
const themed = (html) => html
  .replace("</head>", '<link rel="stylesheet" href="/theme/theme.css"><script src="/theme/app.js"></script></head>')
  .replace("</body>", Array.from({ length: 12 }, (_, i) => `<img src="/theme/photo${i}.jpg" width="60" height="60" alt="">`).join("") + "</body>");

const shop = await serve({
  "/with.html": await demoPage(assets.url),
  "/interaction.html": await demoPage(assets.url, interactionOnly),
  "/without.html": await demoPage(assets.url, withoutWidget),
  "/with-again.html": await demoPage(assets.url),
  "/theme-with.html": await demoPage(assets.url, themed),
  "/theme-without.html": await demoPage(assets.url, (html) => themed(withoutWidget(html))),
  ...THEME,
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

async function visit(page, { click = false, network = null, idle = false } = {}) {
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
  // Long tasks are watched for 3 s after load, when the default mode loads the widget.
  if (idle) await tab.waitForTimeout(3000);
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
const runs = { without: [], with: [], withAgain: [], interaction: [], without4g: [], with4g: [],
  themeWithout: [], themeWith: [], themeWithout4g: [], themeWith4g: [] };
const PLAN = [
  ["without", "/without.html", { idle: true }], ["with", "/with.html", { idle: true }],
  ["interaction", "/interaction.html", { idle: true }],
  // The same page as "with" under another name: how far two identical pages measure apart.
  ["withAgain", "/with-again.html", {}],
  ["without4g", "/without.html", { network: FOUR_G }], ["with4g", "/with.html", { network: FOUR_G }],
  ["themeWithout", "/theme-without.html", {}], ["themeWith", "/theme-with.html", {}],
  ["themeWithout4g", "/theme-without.html", { network: FOUR_G }], ["themeWith4g", "/theme-with.html", { network: FOUR_G }],
];
for (let i = 0; i < rounds; i++) {
  // A fresh random order each round, so whatever a visit leaves running in the browser (wasm
  // compilation, caches) does not always land on the same next page.
  const order = [...PLAN];
  for (let j = order.length - 1; j > 0; j--) {
    const k = Math.floor(Math.random() * (j + 1));
    [order[j], order[k]] = [order[k], order[j]];
  }
  for (const [key, page, options] of order) {
    runs[key].push(await visit(page, { ...options, click: key === "interaction" && i === 0 }));
  }
}
const stat = (key, field) => median(runs[key].map((r) => r[field]));
const kb = (bytes) => `${(bytes / 1024).toFixed(1)} KB`;
const ms = (x) => `${x.toFixed(1)} ms`;

// The middle half of a run's load times, to show the spread behind a median.
const quartiles = (key) => {
  const xs = runs[key].map((r) => r.load).sort((a, b) => a - b);
  return `${xs[Math.floor(xs.length / 4)].toFixed(0)}–${xs[Math.floor((xs.length * 3) / 4)].toFixed(0)}`;
};
const loadLine = (label, without, withWidget) => console.log(`  ${label}: without ${ms(stat(without, "load"))} ` +
  `(${quartiles(without)}), with ${ms(stat(withWidget, "load"))} (${quartiles(withWidget)}), ` +
  `ratio ${(stat(withWidget, "load") / stat(without, "load")).toFixed(3)} (target <= 1.05)`);

console.log(`Host-page impact, ${rounds} rounds each, medians and (middle half) in ms (headless Chromium, loopback):`);
loadLine("load event, bare demo page", "without", "with");
loadLine("  the same, a second copy of the page with the tag (noise check)", "without", "withAgain");
console.log(`               data-load=interaction ${ms(stat("interaction", "load"))}` +
  `, ratio ${(stat("interaction", "load") / stat("without", "load")).toFixed(3)}`);
loadLine("load event, bare demo page, emulated 4G", "without4g", "with4g");
loadLine("load event, page with a theme's weight", "themeWithout", "themeWith");
loadLine("load event, page with a theme's weight, emulated 4G", "themeWithout4g", "themeWith4g");
console.log(`  long tasks in 3 s after load, no interaction: without ${ms(stat("without", "longTasks"))}, ` +
  `default ${ms(stat("with", "longTasks"))}, data-load=interaction ${ms(stat("interaction", "longTasks"))}`);
console.log(`  bytes from the widget's origin (gzip): before interaction ${kb(runs.interaction[0].before)} ` +
  `(target <= 3 KB); after the first click ${kb(runs.interaction[0].after)} (target <= 100 KB)`);

await browser.close();
shop.close();
assets.close();
