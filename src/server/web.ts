/**
 * The demo page (web/index.html, web/app.js and its bundle web/dist/) at `/`, and the served
 * model's files under `/model/`, where the page looks for them. Only the files listed at start are
 * served: a request names a file from this list, never a path.
 */
import { existsSync, readdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { LABELS_FILE } from '../classify/task.js';
import { VECTORIZER_FILE, VOCAB_FILE } from '../text/vectorizer.js';
import { HISTORY_FILE } from '../experiments/report-files.js';
import { MODEL_FILE, WEIGHTS_FILE } from '../io/model-dir.js';
import { ApiError } from './errors.js';

/** web/ of this package (from dist/src/server/). */
export const WEB_ROOT = fileURLToPath(new URL('../../../web/', import.meta.url));

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.wasm': 'application/wasm',
  '.safetensors': 'application/octet-stream',
};

function filesIn(dir: string): Map<string, string> {
  const names = existsSync(dir) ? readdirSync(dir).filter((n) => extname(n) in TYPES) : [];
  return new Map(names.map((n) => [n, join(dir, n)]));
}

export function registerWebPage(app: FastifyInstance, modelDir: string, webRoot = WEB_ROOT): void {
  const bundle = filesIn(join(webRoot, 'dist'));
  const named = (dir: string, names: string[]) =>
    new Map(names.map((n): [string, string] => [n, join(dir, n)]));
  const page = named(webRoot, ['index.html', 'app.js', 'explain.js']);
  // history.json: the page shows the run's test accuracy when it has one.
  const model = named(modelDir, [
    MODEL_FILE,
    WEIGHTS_FILE,
    VOCAB_FILE,
    VECTORIZER_FILE,
    LABELS_FILE,
    HISTORY_FILE,
  ]);

  const serve = async (files: Map<string, string>, name: string) => {
    const path = files.get(name);
    const body = path === undefined ? null : await readFile(path).catch(() => null);
    if (body === null) {
      const hint =
        files === bundle || files === page ? ' (is the web bundle built? npm run build:web)' : '';
      throw new ApiError(404, 'not_found', `no file '${name}'${hint}`);
    }
    return { type: TYPES[extname(name)] ?? 'application/octet-stream', body };
  };
  const route = (url: string, files: Map<string, string>, fixed?: string) =>
    app.get<{ Params: { file: string } }>(url, async (request, reply) => {
      const { type, body } = await serve(files, fixed ?? request.params.file);
      return reply.type(type).send(body);
    });
  route('/', page, 'index.html');
  route('/:file', page);
  route('/dist/:file', bundle);
  route('/model/:file', model);
}
