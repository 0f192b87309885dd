// Shared by the end-to-end tests and the screenshot script: two loopback origins (the shop's
// page and the widget's assets, so every run proves cross-origin embedding) and Debian's Chromium.
import http from "node:http";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { chromium } from "playwright-core";

const DIST = path.resolve(import.meta.dirname, "..", "dist");
const TYPES = { ".html": "text/html; charset=utf-8", ".js": "text/javascript", ".wasm": "application/wasm", ".css": "text/css" };

/** Serves files from dist/, with CORS and the wasm MIME type a CDN must send. `pages` adds
 *  extra HTML documents by path. Resolves to the base URL. */
export async function serve(pages = {}) {
  const server = http.createServer(async (req, res) => {
    const url = new URL(req.url, "http://x");
    const name = url.pathname === "/" ? "/index.html" : url.pathname;
    try {
      const body = pages[name] ?? await readFile(path.join(DIST, path.normalize(name)));
      res.writeHead(200, {
        "Content-Type": TYPES[path.extname(name)] ?? "application/octet-stream",
        "Access-Control-Allow-Origin": "*",
      });
      res.end(body);
    } catch {
      res.writeHead(404).end("not found");
    }
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${server.address().port}`, close: () => server.close() };
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
  return { context, page, opened, consoleErrors };
}

/** The text parameter of a wa.me link, decoded. */
export function messageOf(url) {
  return new URL(url).searchParams.get("text");
}
