// The npm package (scripts/npm-package.mjs): packed from a clean build it holds exactly the
// embeddable files, its version is the workspace's, and installed into an empty folder it
// serves a shop's page as an npm CDN would: the widget starts and sends an order.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, readdirSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { serve, launch, pageCapturingWhatsApp, messageOf, waitFor, widgetReady } from "./harness.mjs";

const root = path.resolve(import.meta.dirname, "..");
let browser, tarball, installed;

before(async () => {
  tarball = execFileSync("node", [path.join(root, "scripts/npm-package.mjs")], { encoding: "utf8" }).trim();
  const dir = mkdtempSync(path.join(os.tmpdir(), "chatout-npm-"));
  execFileSync("npm", ["install", "--offline", "--no-audit", "--no-fund", "--no-save", "--silent", tarball], { cwd: dir });
  installed = path.join(dir, "node_modules", "chatout-widget");
  browser = await launch();
});

after(async () => browser?.close());

test("the package holds exactly the embeddable files, at the workspace's version", () => {
  const listing = JSON.parse(execFileSync("npm", ["pack", "--dry-run", "--json", tarball], { cwd: os.tmpdir(), encoding: "utf8" }));
  const files = listing[0].files.map((f) => f.path).sort();
  const labels = readdirSync(path.join(root, "dist", "labels")).filter((f) => f.endsWith(".json")).map((f) => `dist/labels/${f}`);
  // The split modules: the three split points by name, the chunks they share by pattern.
  const split = readdirSync(path.join(root, "dist")).filter((f) => /^chatout-chunk-\d+\.wasm$/.test(f)).map((f) => `dist/${f}`);
  const expected = ["README.md", "package.json", "dist/chatout.js", "dist/chatout-widget.js", "dist/chatout-widget_bg.wasm",
                    "dist/chatout-split.js", "dist/chatout-checkout.wasm", "dist/chatout-notify.wasm", "dist/chatout-schema.wasm",
                    ...split, "dist/chatout-qr.js", "dist/chatout-qr_bg.wasm", ...labels].sort();
  assert.deepEqual(files, expected);
  const manifest = JSON.parse(readFileSync(path.join(installed, "package.json"), "utf8"));
  const version = readFileSync(path.join(root, "Cargo.toml"), "utf8").match(/^\[package\][^[]*?^version = "([^"]+)"/m)[1];
  assert.equal(manifest.name, "chatout-widget");
  assert.equal(manifest.version, version);
  assert.match(readFileSync(path.join(installed, "README.md"), "utf8"), /cdn\.jsdelivr\.net\/npm\/chatout-widget@/);
});

test("installed from the tarball, it runs a shop's page from another origin", async () => {
  const cdn = await serve({}, { root: installed });
  const shop = await serve({
    "/shop.html": `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Shop</title></head><body>
<button data-chatout-add data-sku="tea" data-name="Sencha" data-price="4.50">Add</button>
<script src="${cdn.url}/dist/chatout.js" async data-phone="+31 6 1234 5678" data-shop="Npm Shop"
        data-currency="EUR" data-locale="nl-NL" data-delivery="pickup" data-payment="cash_on_delivery"></script>
</body></html>`,
  });
  try {
    const { page, opened, consoleErrors } = await pageCapturingWhatsApp(browser);
    await page.goto(shop.url + "/shop.html");
    await widgetReady(page);
    await page.locator("button[data-sku=tea]").click();
    await page.getByRole("button", { name: "Afrekenen" }).click();
    await page.getByLabel("Je naam").fill("Anna");
    await page.getByRole("button", { name: "Bestelling versturen via WhatsApp" }).click();
    await waitFor(() => opened.length === 1);
    assert.match(messageOf(opened[0]), /1 × Sencha/);
    assert.deepEqual(consoleErrors, []);
    // Everything came from the package: the loader, glue, wasm, the Dutch table and the
    // checkout's split module.
    for (const file of ["/dist/chatout.js", "/dist/chatout-widget.js", "/dist/chatout-widget_bg.wasm", "/dist/labels/nl.json",
                        "/dist/chatout-split.js", "/dist/chatout-checkout.wasm"]) {
      assert.ok(cdn.requests.includes(file), `${file} in ${cdn.requests}`);
    }
  } finally {
    cdn.close();
    shop.close();
  }
});
