import { isConvolutional, type Architecture } from './architectures.js';
import type { TrainRunOptions } from './train-run.js';

/** The factors a sweep varies (Yin et al. 2017: hidden size and batch size matter more than the learning rate). */
export const SWEEP_FACTORS = ['units', 'batchSize', 'learningRate'] as const;
export type SweepFactor = (typeof SWEEP_FACTORS)[number];

/** A sweep of one architecture: each factor's values are tried with the others at the defaults. */
export interface SweepGrid {
  model: Architecture;
  units: number[];
  batchSize: number[];
  learningRate: number[];
}

/** One training run of a comparison; its directory is <out>/<name>. */
export interface CompareEntry {
  name: string;
  architecture: Architecture;
  /** The factor this run changes from the defaults (sweeps only), and its value. */
  factor: SweepFactor | null;
  value: number | null;
  overrides: Partial<TrainRunOptions>;
}

const SHORT: Record<SweepFactor, string> = {
  units: 'units',
  batchSize: 'batch',
  learningRate: 'lr',
};

/** One run per architecture, in the order given. */
export function modelEntries(models: readonly Architecture[]): CompareEntry[] {
  return models.map((m) => ({
    name: m,
    architecture: m,
    factor: null,
    value: null,
    overrides: {},
  }));
}

/**
 * One factor at a time around the defaults: the baseline run, then each value of each factor
 * that differs from its default. For the CNN, "units" is its filter count.
 */
export function sweepEntries(
  grid: SweepGrid,
  defaults: Pick<TrainRunOptions, 'units' | 'filters' | 'batchSize' | 'learningRate'>,
): CompareEntry[] {
  const model = grid.model;
  const entries: CompareEntry[] = [
    { name: model, architecture: model, factor: null, value: null, overrides: {} },
  ];
  for (const factor of SWEEP_FACTORS) {
    const key = factor === 'units' && isConvolutional(model) ? 'filters' : factor;
    for (const value of grid[factor]) {
      if (value === defaults[key]) continue;
      entries.push({
        name: `${model}-${SHORT[factor]}-${value}`,
        architecture: model,
        factor,
        value,
        overrides: { [key]: value },
      });
    }
  }
  return entries;
}
