// Minifies ES modules in place with terser: the wasm-bindgen glue and the split modules'
// loaders that `cargo xtask dist` writes (dist/chatout-widget.js, dist/chatout-split.js).
// Their exports and `import.meta.url` stay as they are.
import { readFile, writeFile } from "node:fs/promises";
import { minify } from "terser";

for (const file of process.argv.slice(2)) {
  const source = await readFile(file, "utf8");
  const result = await minify(source, { module: true, compress: { passes: 2 }, mangle: true });
  await writeFile(file, result.code);
  console.log(`minify-module: ${file} ${source.length} → ${result.code.length} bytes`);
}
