import { Adam, type AdamOptions } from './adam.js';
import type { Optimizer } from './optimizer.js';
import { RMSprop, type RMSpropOptions } from './rmsprop.js';
import { SGD, type SGDOptions } from './sgd.js';

export { Adam, type AdamOptions } from './adam.js';
export {
  BaseOptimizer,
  type ClipOptions,
  type Optimizer,
  type OptimizerConfig,
  type OptimizerState,
} from './optimizer.js';
export { RMSprop, type RMSpropOptions } from './rmsprop.js';
export { SGD, type SGDOptions } from './sgd.js';

const OPTIMIZERS = {
  sgd: (options: object) => new SGD(options as SGDOptions),
  rmsprop: (options: object) => new RMSprop(options as RMSpropOptions),
  adam: (options: object) => new Adam(options as AdamOptions),
} satisfies Record<string, (options: object) => Optimizer>;

export type OptimizerName = keyof typeof OPTIMIZERS;
export const OPTIMIZER_NAMES = Object.keys(OPTIMIZERS) as readonly OptimizerName[];

function isOptimizer(id: string | Optimizer | Record<string, unknown>): id is Optimizer {
  return typeof id === 'object' && typeof id.apply === 'function';
}

/**
 * An optimizer from a Keras name ('adam', 'SGD', …: case-insensitive, default options), from a
 * config as getConfig() returns it ({name, ...options}), or an Optimizer passed through.
 */
export function getOptimizer(id: string | Optimizer | Record<string, unknown>): Optimizer {
  if (isOptimizer(id)) return id;
  const { name, ...options } = typeof id === 'string' ? { name: id } : id;
  const key = String(name).toLowerCase();
  const make = Object.hasOwn(OPTIMIZERS, key) ? OPTIMIZERS[key as OptimizerName] : undefined;
  if (!make) {
    throw new Error(
      `unknown optimizer '${String(name)}' (valid: ${Object.keys(OPTIMIZERS).join(', ')})`,
    );
  }
  return make(options);
}
