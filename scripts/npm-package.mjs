// Builds the npm package of the embeddable widget from a built dist/ (`cargo xtask dist`):
// target/npm/chatout-widget/ with package.json (the version of the workspace's Cargo.toml), a
// README and dist/ holding exactly what a shop's page loads, then `npm pack`s it. Prints the
// tarball's path. Used by `cargo xtask npm` and by e2e/npm.test.mjs.
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { execFileSync } from "node:child_process";
import path from "node:path";

const root = path.resolve(import.meta.dirname, "..");
const dist = path.join(root, "dist");
const out = path.join(root, "target", "npm", "chatout-widget");
// The files a shop embeds (the loader, the glue, the main wasm), the QR module and the language
// tables, and the modules the split build loads on first use (chatout-split.js and every other
// chatout-*.wasm).
const REQUIRED = ["chatout.js", "chatout-widget.js", "chatout-widget_bg.wasm", "chatout-split.js", "chatout-qr.js", "chatout-qr_bg.wasm"];
const FILES = [...new Set([...REQUIRED, ...readdirSync(dist).filter((f) => /^chatout-[a-z0-9-]+\.wasm$/.test(f))])];

const cargo = readFileSync(path.join(root, "Cargo.toml"), "utf8");
const version = cargo.match(/^\[package\][^[]*?^version = "([^"]+)"/m)?.[1];
if (!version) throw new Error("no [package] version in Cargo.toml");
for (const file of REQUIRED) {
  if (!existsSync(path.join(dist, file))) throw new Error(`dist/${file} is missing: run cargo xtask dist first`);
}

rmSync(out, { recursive: true, force: true });
mkdirSync(path.join(out, "dist", "labels"), { recursive: true });
for (const file of FILES) copyFileSync(path.join(dist, file), path.join(out, "dist", file));
const labels = readdirSync(path.join(dist, "labels")).filter((f) => f.endsWith(".json")).sort();
for (const file of labels) copyFileSync(path.join(dist, "labels", file), path.join(out, "dist", "labels", file));

const major = version.split(".").slice(0, 2).join(".");
writeFileSync(path.join(out, "package.json"), JSON.stringify({
  name: "chatout-widget",
  version,
  description: "Chatout: a WhatsApp chat button and a cart that sends the order as a WhatsApp message, in one script tag.",
  license: "MIT",
  keywords: ["whatsapp", "cart", "checkout", "widget", "wasm"],
  files: ["dist/"],
  browser: "dist/chatout.js",
  sideEffects: true,
}, null, 2) + "\n");
writeFileSync(path.join(out, "README.md"), `# chatout-widget ${version}

A floating WhatsApp button and a cart that turns into a structured order message, in one
script tag. Load it from any npm CDN:

\`\`\`html
<script src="https://cdn.jsdelivr.net/npm/chatout-widget@${major}/dist/chatout.js" async
        data-phone="+31 6 1234 5678" data-shop="Demo Shop" data-currency="EUR"
        data-locale="nl-NL" data-payment="bank_transfer" data-delivery="shipping pickup"></script>
<button data-chatout-add data-sku="shirt" data-name="Linen shirt" data-price="29.90">Add to cart</button>
\`\`\`

The loader (\`dist/chatout.js\`, under 3 KB gzip) fetches the rest of \`dist/\` from beside
itself on the first interaction. Every attribute, hook, event and the JavaScript API are
described in the project's README.
`);
const packed = execFileSync("npm", ["pack", "--silent", "--pack-destination", path.dirname(out)], { cwd: out, encoding: "utf8" })
  .trim().split("\n").pop();
console.log(path.join(path.dirname(out), packed));
