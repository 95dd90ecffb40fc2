#!/usr/bin/env node
/* global console, process, URL */
// `npm run serve:web [PORT]`: serves web/ (the page, its bundle in web/dist and a model in
// web/model) on http://127.0.0.1:PORT/ (default 8080) with the COOP/COEP headers threads need.
import { serveStatic } from '../dist/src/cli/static-server.js';

const port = Number(process.argv[2] ?? 8080);
if (!Number.isInteger(port) || port < 1 || port > 65535) {
  console.error(`serve-web: the port must be an integer in 1..65535, got ${process.argv[2]}`);
  process.exit(1);
}
const root = new URL('../web/', import.meta.url).pathname;
const { url } = await serveStatic(root, true, port);
console.log(`Serving ${root} on ${url} (Ctrl-C stops)`);
