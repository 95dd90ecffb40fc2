import type { Backend } from './backend.js';
import { createNativeBackend, loadNativeAddon, type NativeOptions } from './native/index.js';
import { createReferenceBackend } from './reference/index.js';
import { BackendSettingsError } from './settings.js';
import { createWasmBackend } from './wasm/load-node.js';
import type { WasmOptions } from './wasm/options.js';

/** Names a user can pass to --backend / setBackend, fastest first. */
export const BACKEND_NAMES = ['native', 'wasm', 'reference'] as const;
export type BackendName = (typeof BACKEND_NAMES)[number];

/** Options of the fast backends (the reference backend has none). */
export type BackendOptions = NativeOptions & WasmOptions;

let current: Backend | null = null;
let noticeShown = false;

/** One line on stderr, once per process, when gated runs on a slower backend than asked. */
function notice(message: string): void {
  if (noticeShown) return;
  noticeShown = true;
  process.stderr.write(`gated: ${message}\n`);
}

/**
 * A backend by name. 'native' falls back to 'wasm', and 'wasm' to 'reference' (with a one-line
 * notice), when the addon is not built or cannot load, or the wasm kernels cannot load; a wrong
 * setting (threads, SIMD, kernel variant) is an error on every backend.
 */
export function createBackend(name: string, options: BackendOptions = {}): Backend {
  switch (name) {
    case 'native': {
      const { error } = loadNativeAddon();
      if (error === null) return createNativeBackend(options);
      notice(`native backend unavailable (${error}); using the wasm backend`);
      return createBackend('wasm', options);
    }
    case 'wasm':
      try {
        return createWasmBackend(options);
      } catch (err) {
        // A wrong setting (GATED_THREADS=0) is the user's to fix, not a reason to run slower.
        if (err instanceof BackendSettingsError) throw err;
        notice(`wasm backend unavailable (${(err as Error).message}); using the reference backend`);
        return createReferenceBackend('float32');
      }
    case 'reference':
      return createReferenceBackend('float32');
    default:
      throw new Error(`unknown backend '${name}' (available: ${BACKEND_NAMES.join(', ')})`);
  }
}

/** The backend new models use: GATED_BACKEND if set, else the fastest available. */
export function getBackend(): Backend {
  current ??= createBackend(process.env.GATED_BACKEND || BACKEND_NAMES[0]);
  return current;
}

export function setBackend(backend: Backend | string, options: BackendOptions = {}): Backend {
  current = typeof backend === 'string' ? createBackend(backend, options) : backend;
  return current;
}
