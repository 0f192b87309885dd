// Builds dist/chatout.js, the loader a shop's page loads up front: loader/chatout.js with
// style/launcher.css, the chat icon and the list of languages inlined, minified by terser and
// csso. It also copies the language tables (crates/core/labels/*.json) to dist/labels/, where
// the loader fetches the one a shop needs. Trunk runs it after each build (Trunk.toml
// [[hooks]]); it writes into Trunk's staging folder when given one.
import { copyFile, mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { minify } from "terser";
import { minify as minifyCss } from "csso";

const root = path.resolve(import.meta.dirname, "..");
const dist = process.env.TRUNK_STAGING_DIR ?? path.join(root, "dist");
const out = path.join(dist, "chatout.js");
const tables = path.join(root, "crates/core/labels");
const languages = (await readdir(tables)).filter((f) => f.endsWith(".json")).map((f) => f.slice(0, -5)).sort();
await mkdir(path.join(dist, "labels"), { recursive: true });
await Promise.all(languages.map((l) => copyFile(path.join(tables, `${l}.json`), path.join(dist, "labels", `${l}.json`))));

const [source, css, icon] = await Promise.all([
  readFile(path.join(root, "loader/chatout.js"), "utf8"),
  readFile(path.join(root, "style/launcher.css"), "utf8"),
  readFile(path.join(root, "style/chat-icon.path"), "utf8"),
]);

function inline(text, marker, value) {
  const quoted = `"${marker}"`;
  if (!text.includes(quoted)) throw new Error(`loader/chatout.js lacks ${quoted}`);
  return text.replace(quoted, () => JSON.stringify(value));
}

let code = inline(source, "__CHATOUT_LAUNCHER_CSS__", minifyCss(css).css);
code = inline(code, "__CHATOUT_ICON_PATH__", icon.trim());
code = inline(code, "__CHATOUT_LANGUAGES__", languages.join(" "));
// `--preload a.js b.js`: modules the glue imports, which the loader fetches beside it (the split
// build's chatout-split.js; `cargo xtask dist` runs this again after splitting).
const at = process.argv.indexOf("--preload");
const preload = at < 0 ? [] : process.argv.slice(at + 1);
code = inline(code, "__CHATOUT_PRELOAD__", preload.join(" "));
const result = await minify(code, {
  compress: { passes: 2 },
  mangle: true,
  format: { comments: /^!/ },
});
await writeFile(out, result.code);
console.log(`build-loader: ${path.relative(root, out)} (${result.code.length} bytes)`);
