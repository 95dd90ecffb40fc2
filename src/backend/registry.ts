import type { Backend } from './backend.js';
import { createReferenceBackend } from './reference/index.js';

/** Names a user can pass to --backend / setBackend. Fast backends join this list as they land. */
export const BACKEND_NAMES = ['reference'] as const;
export type BackendName = (typeof BACKEND_NAMES)[number];

let current: Backend | null = null;

export function createBackend(name: string): Backend {
  switch (name) {
    case 'reference':
      return createReferenceBackend('float32');
    default:
      throw new Error(`unknown backend '${name}' (available: ${BACKEND_NAMES.join(', ')})`);
  }
}

/** The backend new models use: GATED_BACKEND if set, else the fastest available. */
export function getBackend(): Backend {
  current ??= createBackend(process.env.GATED_BACKEND ?? 'reference');
  return current;
}

export function setBackend(backend: Backend | string): Backend {
  current = typeof backend === 'string' ? createBackend(backend) : backend;
  return current;
}
