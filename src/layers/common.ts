import type { Backend } from '../backend/backend.js';
import { Tensor, shapeSize, type Shape } from '../tensor/tensor.js';
import { MAX_PARAMETERS } from '../models/limits.js';
import type { Layer, Param } from './layer.js';

/**
 * Pieces the non-recurrent layers share: weight creation, and validation of constructor options
 * so every bad option fails the same way (`<ClassName>: <option> must be …, got …`).
 */

/** A zero-filled weight and its gradient, allocated through the backend. */
export function createParam(backend: Backend, name: string, shape: Shape): Param {
  const size = shapeSize(shape);
  // Checked before allocating: a hostile config must fail small, not exhaust memory.
  if (size > MAX_PARAMETERS)
    throw new Error(
      `weight ${name} [${shape.join(', ')}] holds ${size.toLocaleString('en-US')} values, more than the limit of ${MAX_PARAMETERS.toLocaleString('en-US')} parameters`,
    );
  return {
    name,
    value: new Tensor(backend.alloc(size), shape),
    grad: new Tensor(backend.alloc(size), shape),
  };
}

/** How errors name a layer: `Dense 'dense_1'`, or just the class before a name is assigned. */
export function layerLabel(layer: Layer): string {
  return layer.name ? `${layer.className} '${layer.name}'` : layer.className;
}

/** Throws unless x is [batch, steps, channels] with the channel count the layer was built for. */
export function checkSequenceInput(layer: Layer, x: Tensor, channels: number): void {
  if (x.shape.length !== 3 || x.shape[2] !== channels) {
    throw new Error(
      `${layerLabel(layer)}: expected input [batch, steps, ${channels}], got [${x.shape.join(', ')}]`,
    );
  }
}

/** Rejects option names the layer does not know (a Keras snake_case name, a typo). */
export function checkKeys(owner: string, options: object, allowed: readonly string[]): void {
  if (typeof options !== 'object' || options === null) {
    throw new Error(`${owner}: expected an options object, got ${String(options)}`);
  }
  for (const key of Object.keys(options)) {
    if (!allowed.includes(key)) {
      throw new Error(`${owner}: unknown option '${key}' (known: ${allowed.join(', ')})`);
    }
  }
}

export function positiveInt(owner: string, key: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw new Error(`${owner}: ${key} must be a positive integer, got ${String(value)}`);
  }
  return value;
}

export function oneOf<T extends string>(
  owner: string,
  key: string,
  value: unknown,
  allowed: readonly T[],
): T {
  if (!allowed.includes(value as T)) {
    throw new Error(
      `${owner}: ${key} must be one of ${allowed.map((a) => `'${a}'`).join(', ')}, got ${String(value)}`,
    );
  }
  return value as T;
}

export function boolean(owner: string, key: string, value: unknown): boolean {
  if (typeof value !== 'boolean') {
    throw new Error(`${owner}: ${key} must be a boolean, got ${String(value)}`);
  }
  return value;
}

export function optionalName(owner: string, value: unknown): string | undefined {
  if (value !== undefined && typeof value !== 'string') {
    throw new Error(`${owner}: name must be a string, got ${String(value)}`);
  }
  return value;
}
