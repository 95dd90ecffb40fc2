import type { Backend } from '../backend/backend.js';
import { createReferenceBackend } from '../backend/reference/index.js';

// The browser build's stand-in for src/backend/registry.ts (the bundler swaps it in): no addon,
// no file reads. Models use the backend set here; loadWasmBackend's result is the fast choice.

let current: Backend | null = null;

/** The backend new models use: the one set with setBackend, else the reference backend. */
export function getBackend(): Backend {
  current ??= createReferenceBackend('float32');
  return current;
}

export function setBackend(backend: Backend): Backend {
  current = backend;
  return current;
}
