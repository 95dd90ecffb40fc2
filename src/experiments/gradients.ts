import { getLoss } from '../losses/index.js';
import { zeroGrad } from '../layers/layer.js';
import { RecurrentLayer, type RecurrentStep } from '../layers/recurrent.js';
import type { Sequential } from '../models/sequential.js';
import { Tensor } from '../tensor/tensor.js';

/** How the loss gradient flows back through time for one batch. */
export interface GradientFlow {
  /** The batch's loss (mean over the batch). */
  loss: number;
  /** ‖∂L/∂h_t‖ for t = 1..T (index t−1): the norm over the whole [batch, units] gradient. */
  stateNorms: number[];
  /** ‖∂L/∂e_t‖ for t = 1..T: the gradient with respect to the recurrent layer's input at step t (the embeddings). */
  inputNorms: number[];
  /** ‖∂L/∂h_1‖ / ‖∂L/∂h_T‖: far below 1 the gradient vanishes on its way back, above 1 it explodes. */
  ratio: number;
  /** Mean activation per step of each gate (LSTM input/forget/candidate/output, GRU update/reset/candidate); {} for SimpleRNN. */
  gateMeans: Record<string, number[]>;
}

/**
 * Runs one training-mode forward and backward of `model` (compiled; its first recurrent layer is
 * studied, Bidirectional is not) on x, y and returns the per-timestep gradient norms. Weights
 * are left unchanged; the parameters' gradient buffers are overwritten (they are scratch, as
 * in training). Padding: at masked steps (Embedding with maskZero) the state gradient passes
 * through unchanged, so pick unpadded rows to see the recurrence alone.
 */
export function gradientFlow(model: Sequential, x: Tensor, y: Tensor): GradientFlow {
  const index = model.layers.findIndex((l) => l instanceof RecurrentLayer);
  if (index < 0)
    throw new Error(
      'gradientFlow: the model has no SimpleRNN, LSTM or GRU layer (Bidirectional is not studied)',
    );
  const layer = model.layers[index] as RecurrentLayer;
  const saved = layer.observer;
  const gates = new GateMeans(layer.gateNames.length, x.shape[1], layer.units);
  const stateNorms: number[] = [];
  layer.observer = {
    step: (step) => gates.add(step),
    stateGradients: (norms) => stateNorms.push(...norms),
  };
  try {
    for (const p of model.params()) zeroGrad(p);
    const yPred = model.forward(x, true);
    const dy = new Tensor(model.backend.alloc(yPred.size), yPred.shape);
    const loss = getLoss(model.lossName).compute(yPred, y, dy);
    const grad = model.backward(dy, index);
    if (grad === null || stateNorms.length === 0)
      throw new Error(`gradientFlow: no gradient reached layer '${layer.name}'`);
    const means = gates.means();
    return {
      loss,
      stateNorms,
      inputNorms: stepNorms(grad),
      ratio: stateNorms[0] / stateNorms[stateNorms.length - 1],
      gateMeans: Object.fromEntries(layer.gateNames.map((name, g) => [name, means[g]])),
    };
  } finally {
    layer.observer = saved;
  }
}

/** Per gate and time, the mean activation over the batch's unmasked rows and the units. */
class GateMeans {
  private readonly sums: Float64Array[];
  private readonly rows: Float64Array;

  constructor(
    gates: number,
    steps: number,
    private readonly units: number,
  ) {
    this.sums = Array.from({ length: gates }, () => new Float64Array(steps));
    this.rows = new Float64Array(steps);
  }

  add(step: RecurrentStep): void {
    const { time: t, batch, units: H, gateCount: G } = step;
    for (let b = 0; b < batch; b++) {
      if (step.mask !== null && step.mask[step.maskOffset + b] === 0) continue;
      this.rows[t]++;
      const base = step.gatesOffset + b * G * H;
      this.sums.forEach((sum, g) => {
        for (let j = 0; j < H; j++) sum[t] += step.gates[base + g * H + j];
      });
    }
  }

  means(): number[][] {
    return this.sums.map((sum) =>
      Array.from(sum, (s, t) => (this.rows[t] === 0 ? NaN : s / (this.rows[t] * this.units))),
    );
  }
}

/** ‖g[:, t, :]‖ for each t of a [B, T, D] tensor. */
function stepNorms(g: Tensor): number[] {
  const [B, T, D] = g.shape;
  const sums = new Array<number>(T).fill(0);
  for (let b = 0; b < B; b++) {
    for (let t = 0; t < T; t++) {
      const base = (b * T + t) * D;
      for (let d = 0; d < D; d++) sums[t] += g.data[base + d] ** 2;
    }
  }
  return sums.map(Math.sqrt);
}
