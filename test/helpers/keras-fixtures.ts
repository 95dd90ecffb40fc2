import { readdirSync, readFileSync } from 'node:fs';
import { after } from 'node:test';
import type { Backend } from '../../src/backend/backend.js';
import { createNativeBackend } from '../../src/backend/native/index.js';
import { createReferenceBackend } from '../../src/backend/reference/index.js';
import { createWasmBackend } from '../../src/backend/wasm/load-node.js';
import type { Sequential } from '../../src/models/sequential.js';
import { Tensor } from '../../src/tensor/tensor.js';

/** test/fixtures/keras in the source tree (tests run from dist/test/…). */
export const KERAS_FIXTURES = new URL('../../../test/fixtures/keras/', import.meta.url);

export interface KerasExpectation {
  name: string;
  ids: number[][];
  predictions: number[][];
}

/** Every model fixture with Keras's predictions (generate.py writes NAME.keras and NAME.json). */
export function kerasFixtures(): KerasExpectation[] {
  return readdirSync(KERAS_FIXTURES)
    .filter((f) => f.endsWith('.keras'))
    .sort()
    .map((f) => {
      const name = f.slice(0, -'.keras'.length);
      const json = JSON.parse(readFileSync(new URL(`${name}.json`, KERAS_FIXTURES), 'utf8'));
      return { name, ...json } as KerasExpectation;
    });
}

export function fixtureBytes(relative: string): Uint8Array {
  return readFileSync(new URL(relative, KERAS_FIXTURES));
}

/** The three backends, closed after the test file. */
export function everyBackend(): { name: string; backend: Backend }[] {
  const wasm = createWasmBackend({ quiet: true, threads: 1 });
  after(() => wasm.close());
  return [
    { name: 'reference', backend: createReferenceBackend('float32') },
    { name: 'wasm', backend: wasm },
    { name: 'native', backend: createNativeBackend({ threads: 1 }) },
  ];
}

/** The model's predictions for a batch of id rows, as rows. */
export function predictRows(model: Sequential, ids: number[][]): number[][] {
  const steps = ids[0].length;
  const x = new Tensor(model.backend.alloc(ids.length * steps), [ids.length, steps]);
  x.data.set(ids.flat());
  const y = model.predict(x);
  const width = y.size / ids.length;
  return ids.map((_, i) => Array.from(y.data.subarray(i * width, (i + 1) * width)));
}

/** Largest absolute difference between two equally shaped lists of rows. */
export function maxDifference(a: number[][], b: number[][]): number {
  if (a.length !== b.length) throw new Error(`${a.length} rows against ${b.length}`);
  let worst = 0;
  a.forEach((row, i) => {
    if (row.length !== b[i].length)
      throw new Error(`row ${i}: ${row.length} against ${b[i].length}`);
    row.forEach((v, j) => (worst = Math.max(worst, Math.abs(v - b[i][j]))));
  });
  return worst;
}
