// Builds dist/index.html (the demo store) and dist/store.css from index.html as `trunk build`
// writes them, so `cargo xtask dist` needs no Trunk: the `data-trunk` rust links go (xtask
// builds the widget and the QR module itself) and the stylesheet link points at /store.css with
// its subresource integrity. `trunk serve` still reads index.html as it is.
import { createHash } from "node:crypto";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";

const root = path.resolve(import.meta.dirname, "..");
const dist = path.join(root, "dist");
const [page, css] = await Promise.all([
  readFile(path.join(root, "index.html"), "utf8"),
  readFile(path.join(root, "demo/store.css")),
]);

const CSS_LINK = '<link data-trunk rel="css" href="demo/store.css">';
if (!page.includes(CSS_LINK)) throw new Error(`index.html lacks ${CSS_LINK}`);
const integrity = "sha384-" + createHash("sha384").update(css).digest("base64");
const html = page
  .replace(/^[ \t]*<link data-trunk rel="rust"[^>]*>\n/gm, "")
  .replace(CSS_LINK, `<link rel="stylesheet" href="/store.css" integrity="${integrity}"/>`);
if (html.includes("data-trunk")) throw new Error("index.html has a data-trunk link build-page.mjs does not know");

await mkdir(dist, { recursive: true });
await Promise.all([writeFile(path.join(dist, "index.html"), html), writeFile(path.join(dist, "store.css"), css)]);
console.log(`build-page: dist/index.html (${html.length} bytes), dist/store.css`);
