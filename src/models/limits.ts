/**
 * Bounds on what a model may ask for, checked before anything is allocated: a model file or a
 * flag naming a billion-value weight fails at once, with a clear error, instead of exhausting
 * memory.
 */

/** Weights in one model: 64 MB of float32 (the reference experiment has 1,329,473). */
export const MAX_PARAMETERS = 2 ** 24;

/** Values in one sample (the product of the input shape, batch axis excluded). */
export const MAX_INPUT_VALUES = 2 ** 20;
