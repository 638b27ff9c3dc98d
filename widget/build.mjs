// Builds the widget (`make widget`): dist/resale-offers.js (classic script: the
// script-tag embed, served at /widget/v1/widget.js and /widget/<hash>/resale-offers.js),
// dist/resale-offers.mjs (ES module for bundlers), dist/resale-offers.d.ts (types), and
// dist/manifest.json (the content hash, the immutable path and the SRI hashes), and
// prints the SRI hash. Reproducible: the same sources give the same bytes.
// esbuild comes from $WIDGET_NODE_MODULES (make's .cache/widget/node_modules) or here.
import { createHash } from "node:crypto";
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join, resolve } from "node:path";
import { gzipSync } from "node:zlib";

const here = new URL(".", import.meta.url).pathname;
const from = process.env.WIDGET_NODE_MODULES ? resolve(process.env.WIDGET_NODE_MODULES, "_") : import.meta.url;
const esbuild = createRequire(from)("esbuild");
const dist = join(here, "dist");
mkdirSync(dist, { recursive: true });

const common = { bundle: true, minify: true, charset: "utf8", target: ["es2019"], legalComments: "inline", logLevel: "warning" };
await esbuild.build({ ...common, entryPoints: [join(here, "src/embed.js")], format: "iife", outfile: join(dist, "resale-offers.js") });
await esbuild.build({ ...common, entryPoints: [join(here, "src/resale-offers.js")], format: "esm", outfile: join(dist, "resale-offers.mjs") });
copyFileSync(join(here, "src/resale-offers.d.ts"), join(dist, "resale-offers.d.ts"));

const sri = (bytes) => "sha384-" + createHash("sha384").update(bytes).digest("base64");
const classic = readFileSync(join(dist, "resale-offers.js"));
const esm = readFileSync(join(dist, "resale-offers.mjs"));
const hash = createHash("sha256").update(classic).digest("hex").slice(0, 16);
const manifest = {
  hash,
  path: `/widget/${hash}/resale-offers.js`,
  integrity: sri(classic),
  esmIntegrity: sri(esm),
  bytes: classic.length,
  gzipBytes: gzipSync(classic, { level: 9 }).length,
};
writeFileSync(join(dist, "manifest.json"), JSON.stringify(manifest, null, 2) + "\n");
console.log(`widget: ${manifest.path}  ${manifest.bytes} bytes, ${manifest.gzipBytes} gzip -9`);
console.log(`  <script src="https://GATEWAY${manifest.path}" integrity="${manifest.integrity}" crossorigin="anonymous" ...>`);
console.log(`  ES module: integrity ${manifest.esmIntegrity}`);
