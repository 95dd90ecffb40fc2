/* global console, process, URL */
// Bundles gated for the browser with esbuild, from the compiled dist/src: web/dist/gated.js (the
// library: src/web/index.ts), web/dist/gated-keras.js (the Keras import: src/web/keras.ts, with
// h5wasm's HDF5 wasm inlined, so only a page that imports a .keras file loads its 4 MB),
// web/dist/gated-worker.js (a wasm helper thread) and the .wasm kernels. The entries share their
// common code through gated-chunk-*.js files (ES module imports), so both see one copy of the
// library: one backend registry, one Sequential class. Node-only modules must not get in: any
// node:* import fails the build, and the backend registry (native addon, file reads) and the
// model-directory writer are swapped for the browser's stand-ins in src/web/.
import {
  copyFileSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { build } from 'esbuild';

const root = new URL('../', import.meta.url);
const out = new URL('web/dist/', root);
// Emptied first: chunk names change with their contents, and stale chunks must not be served.
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });

const browserOnly = {
  name: 'browser-only',
  setup(b) {
    b.onResolve({ filter: /^node:|^(fs|path|zlib|worker_threads|os|v8)$/ }, (args) => ({
      errors: [{ text: `Node-only module '${args.path}' imported by ${args.importer}` }],
    }));
    for (const [module, standIn] of [
      [/\/backend\/registry\.js$/, 'registry.js'],
      [/\/io\/model-dir\.js$/, 'model-dir.js'],
    ]) {
      b.onResolve({ filter: module }, () => ({
        path: new URL(`dist/src/web/${standIn}`, root).pathname,
      }));
    }
  },
};

try {
  await build({
    entryPoints: {
      gated: new URL('dist/src/web/index.js', root).pathname,
      'gated-keras': new URL('dist/src/web/keras.js', root).pathname,
      'gated-worker': new URL('dist/src/backend/wasm/worker-web.js', root).pathname,
    },
    outdir: out.pathname,
    bundle: true,
    splitting: true,
    chunkNames: 'gated-chunk-[hash]',
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    sourcemap: true,
    logLevel: 'warning',
    plugins: [browserOnly],
  });
} catch {
  process.exit(1);
}
// h5wasm's source is generated code around a 4 MB wasm string: its copy inside the source map
// (13 MB) would help no one debug, so the map names the file without its text.
const kerasMap = new URL('gated-keras.js.map', out);
const map = JSON.parse(readFileSync(kerasMap, 'utf8'));
map.sourcesContent = map.sourcesContent.map((text, i) =>
  /node_modules\/h5wasm\//.test(map.sources[i]) ? null : text,
);
writeFileSync(kerasMap, JSON.stringify(map));
for (const file of readdirSync(new URL('dist/wasm/', root))) {
  copyFileSync(new URL(`dist/wasm/${file}`, root), new URL(file, out));
}
const sizes = readdirSync(out)
  .filter((f) => f.endsWith('.js'))
  .map((f) => `${f} ${(statSync(new URL(f, out)).size / 1024).toFixed(0)} KiB`);
console.log(
  `web/dist: ${sizes.join(', ')}; ${readdirSync(new URL('dist/wasm/', root)).length} .wasm files`,
);
