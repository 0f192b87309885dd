// Shared by the end-to-end tests and the screenshot script: two loopback origins (the shop's
// page and the widget's assets, so every run proves cross-origin embedding) and Debian's Chromium.
import http from "node:http";
import { spawn, execFileSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { gzipSync } from "node:zlib";
import os from "node:os";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { chromium } from "playwright-core";
import jsQR from "jsqr";

const DIST = path.resolve(import.meta.dirname, "..", "dist");
const TYPES = { ".html": "text/html; charset=utf-8", ".js": "text/javascript", ".wasm": "application/wasm", ".css": "text/css",
                ".svg": "image/svg+xml", ".jpg": "image/jpeg" };

/** Serves files from dist/, with CORS and the wasm MIME type a CDN must send. `pages` adds
 *  extra documents by path. Options: `headers` (path -> extra response headers, e.g. a CSP) and
 *  `delays` (path -> milliseconds before answering), `root` (another folder than dist/), `gzip`
 *  (compress what the browser accepts compressed, as a CDN does).
 *  Resolves to `{url, requests, close}`;
 *  `requests` lists every path asked for, in order. */
export async function serve(pages = {}, { headers = {}, delays = {}, root = DIST, gzip = false } = {}) {
  const requests = [];
  const server = http.createServer(async (req, res) => {
    const url = new URL(req.url, "http://x");
    const name = url.pathname === "/" ? "/index.html" : url.pathname;
    requests.push(name);
    if (delays[name]) await new Promise((r) => setTimeout(r, delays[name]));
    try {
      const body = pages[name] ?? await readFile(path.join(root, path.normalize(name)));
      const compress = gzip && /\bgzip\b/.test(req.headers["accept-encoding"] ?? "");
      res.writeHead(200, {
        "Content-Type": TYPES[path.extname(name)] ?? "application/octet-stream",
        "Access-Control-Allow-Origin": "*",
        ...(compress ? { "Content-Encoding": "gzip" } : {}),
        ...(headers[name] ?? {}),
      });
      res.end(compress ? gzipSync(body) : body);
    } catch {
      res.writeHead(404).end("not found");
    }
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${server.address().port}`, requests, close: () => server.close() };
}

/** Resolves once the widget itself (not only the loader's button) is up. */
export async function widgetReady(page) {
  await page.locator("#chatout-root [data-chatout-widget] .chatout-launcher").waitFor();
}

/** The built demo page, with the loader pointed at another origin. */
export async function demoPage(assetsUrl, edit = (html) => html) {
  const html = await readFile(path.join(DIST, "index.html"), "utf8");
  return edit(html.replace('src="chatout.js"', `src="${assetsUrl}/chatout.js"`));
}

export async function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
           "--disable-sync", "--no-first-run", "--disable-quic"],
  });
}

/** A page whose wa.me navigations (new tab or same tab) are recorded instead of leaving the machine. */
export async function pageCapturingWhatsApp(browser, options = {}) {
  const context = await browser.newContext(options);
  const opened = [];
  await context.route(/^https:\/\/wa\.me\//, (route) => {
    opened.push(route.request().url());
    return route.fulfill({ status: 200, contentType: "text/html", body: "<p>WhatsApp</p>" });
  });
  const page = await context.newPage();
  const consoleErrors = [];
  page.on("console", (m) => m.type() === "error" && consoleErrors.push(m.text()));
  const requested = [];
  page.on("request", (r) => requested.push(r.url()));
  return { context, page, opened, consoleErrors, requested };
}

/** The text parameter of a wa.me link, decoded. */
export function messageOf(url) {
  return new URL(url).searchParams.get("text");
}

/** Polls `condition` every 50 ms until it holds or `timeout` ms pass. */
export async function waitFor(condition, timeout = 5000) {
  const start = Date.now();
  while (!(await condition())) {
    if (Date.now() - start > timeout) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The chatout-server binary: `CHATOUT_E2E_SERVER` when `cargo xtask test` built it once for
 *  every file, else built here (in `CARGO_TARGET_DIR`, as cargo does). */
function serverBinary(root) {
  if (process.env.CHATOUT_E2E_SERVER) return process.env.CHATOUT_E2E_SERVER;
  execFileSync("cargo", ["build", "--quiet", "-p", "chatout-server"], { cwd: root, stdio: "inherit" });
  return path.join(path.resolve(root, process.env.CARGO_TARGET_DIR || "target"), "debug", "chatout-server");
}

/** Starts chatout-server on a free loopback port with a fresh SQLite file, serving dist/ (the
 *  demo at `/` in endpoint mode). Resolves to `{url, password, stop}`. */
export async function startServer(env = {}) {
  const root = path.resolve(import.meta.dirname, "..");
  const binary = serverBinary(root);
  const dir = mkdtempSync(path.join(os.tmpdir(), "chatout-e2e-"));
  const password = "e2e correct horse";
  const child = spawn(binary, [], {
    cwd: root,
    env: { ...process.env, CHATOUT_ADDR: "127.0.0.1:0", DATABASE_URL: `sqlite://${dir}/orders.db`,
           CHATOUT_WIDGET_DIR: DIST, CHATOUT_ADMIN_PASSWORD: password, RUST_LOG: "warn", ...env },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const url = await new Promise((resolve, reject) => {
    let out = "";
    child.stdout.on("data", (chunk) => {
      out += chunk;
      const match = out.match(/listening on (http:\/\/\S+)/);
      if (match) resolve(match[1]);
    });
    child.on("exit", (code) => reject(new Error(`chatout-server exited (${code}): ${out}`)));
  });
  return { url, password, stop: () => child.kill() };
}

/** The text of the QR code drawn by the SVG at `selector`: rasterised in the page, decoded
 *  here with jsQR. */
export async function decodeQr(page, selector) {
  const { width, height, data } = await page.locator(selector).evaluate(async (svg) => {
    const size = 600;
    const image = new Image();
    image.src = "data:image/svg+xml;charset=utf-8," + encodeURIComponent(new XMLSerializer().serializeToString(svg));
    await image.decode();
    const canvas = document.createElement("canvas");
    canvas.width = canvas.height = size;
    const context = canvas.getContext("2d");
    context.fillStyle = "#fff";
    context.fillRect(0, 0, size, size);
    context.drawImage(image, 20, 20, size - 40, size - 40);
    return { width: size, height: size, data: Array.from(context.getImageData(0, 0, size, size).data) };
  });
  return jsQR(Uint8ClampedArray.from(data), width, height)?.data ?? null;
}
