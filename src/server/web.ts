/**
 * The demo page (web/index.html, its scripts and its bundle web/dist/) at `/`, and the files of
 * the served models: `/models.json` lists them (name, URL, the files each directory has), each
 * under `/models/NAME/`, the first also under `/model/` (the page's default before models.json).
 * Only the files listed at start are served: a request names a file from a list, never a path.
 */
import { existsSync, readdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, extname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { MODEL_RUN_FILES } from '../experiments/run-dir.js';
import { ApiError } from './errors.js';

/** web/ of this package (from dist/src/server/). */
export const WEB_ROOT = fileURLToPath(new URL('../../../web/', import.meta.url));

/** The page's own files in web/ (its bundle is web/dist/). */
export const PAGE_FILES = ['index.html', 'app.js', 'models.js', 'explain.js'] as const;

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.wasm': 'application/wasm',
  '.safetensors': 'application/octet-stream',
};

/** A model the page shows: its name there (and in its URL) and its directory. */
export interface WebModel {
  readonly name: string;
  readonly dir: string;
}

/**
 * The page's name for each model directory: its folder's name (`runs/compare/gru` → gru), with
 * characters other than letters, digits, '.', '_' and '-' replaced, made unique (gru, gru-2).
 */
export function webModels(dirs: readonly string[]): WebModel[] {
  const taken = new Set<string>();
  return dirs.map((dir) => {
    const stem =
      basename(resolve(dir))
        .replace(/[^\w.-]/g, '_')
        .replace(/^\.+/, '') || 'model';
    let name = stem;
    for (let n = 2; taken.has(name); n++) name = `${stem}-${n}`;
    taken.add(name);
    return { name, dir };
  });
}

function filesIn(dir: string): Map<string, string> {
  const names = existsSync(dir) ? readdirSync(dir).filter((n) => extname(n) in TYPES) : [];
  return new Map(names.map((n) => [n, join(dir, n)]));
}

export function registerWebPage(
  app: FastifyInstance,
  models: readonly WebModel[],
  webRoot = WEB_ROOT,
): void {
  if (models.length === 0) throw new Error('the web page needs at least one model directory');
  const bundle = filesIn(join(webRoot, 'dist'));
  const named = (dir: string, names: readonly string[]) =>
    new Map(names.map((n): [string, string] => [n, join(dir, n)]));
  const page = named(webRoot, PAGE_FILES);
  // Each directory's files that exist now: the page asks for no other (no 404 to log).
  const served = new Map(
    models.map((m) => [
      m.name,
      named(
        m.dir,
        MODEL_RUN_FILES.filter((n) => existsSync(join(m.dir, n))),
      ),
    ]),
  );
  const manifest = {
    models: models.map((m) => ({
      name: m.name,
      url: `models/${m.name}/`,
      files: [...(served.get(m.name)?.keys() ?? [])],
    })),
  };

  const serve = async (files: Map<string, string> | undefined, name: string) => {
    const path = files?.get(name);
    const body = path === undefined ? null : await readFile(path).catch(() => null);
    if (body === null) {
      const hint =
        files === bundle || files === page ? ' (is the web bundle built? npm run build:web)' : '';
      throw new ApiError(404, 'not_found', `no file '${name}'${hint}`);
    }
    return { type: TYPES[extname(name)] ?? 'application/octet-stream', body };
  };
  const route = (url: string, files: (params: Params) => Map<string, string> | undefined) =>
    app.get<{ Params: Params }>(url, async (request, reply) => {
      const { type, body } = await serve(
        files(request.params),
        request.params.file ?? 'index.html',
      );
      return reply.type(type).send(body);
    });
  route('/', () => page);
  route('/:file', () => page);
  route('/dist/:file', () => bundle);
  app.get('/models.json', async (_request, reply) => reply.type(TYPES['.json']).send(manifest));
  route('/models/:name/:file', (p) => served.get(p.name ?? ''));
  route('/model/:file', () => served.get(models[0].name));
}

interface Params {
  file?: string;
  name?: string;
}
