import type { FloatArray } from '../../tensor/tensor.js';
import type { RecurrentOps, TransposeShape } from '../recurrent-ops.js';
import { sequenceBackward, sequenceForward } from './sequence.js';

/** Shared by both transposes: copies rows between the two layouts, in the direction asked. */
function transposeSequence(
  batchMajor: FloatArray,
  timeMajor: FloatArray,
  [batch, steps, features, reverse, scale]: TransposeShape,
  toTimeMajor: boolean,
): void {
  for (let s = 0; s < steps; s++) {
    const t = reverse ? steps - 1 - s : s;
    for (let b = 0; b < batch; b++) {
      const bm = (b * steps + t) * features;
      const tm = (s * batch + b) * features;
      const src = toTimeMajor ? batchMajor : timeMajor;
      const dst = toTimeMajor ? timeMajor : batchMajor;
      const so = toTimeMajor ? bm : tm;
      const d = toTimeMajor ? tm : bm;
      // Plain loops rather than set(subarray()): no view object per row.
      if (scale === null) {
        for (let j = 0; j < features; j++) dst[d + j] = src[so + j];
      } else {
        const sc = b * features;
        for (let j = 0; j < features; j++) dst[d + j] = src[so + j] * scale[sc + j];
      }
    }
  }
}

/** The recurrent ops but sequenceLast, which the backend writes over its other ops (./index.ts). */
export const referenceRecurrentOps: Omit<RecurrentOps, 'sequenceLast'> = {
  sequenceToTimeMajor: (x, y, ...shape) => transposeSequence(x, y, shape, true),
  timeMajorToSequence: (y, x, ...shape) => transposeSequence(x, y, shape, false),
  // The second layer of a pair is computed as by its own call.
  sequenceForward(seq, U, gateRows, second) {
    sequenceForward(seq, U, gateRows);
    if (second) sequenceForward(second.seq, second.U, second.gateRows);
  },
  sequenceBackward(seq, Ut, grads, second) {
    sequenceBackward(seq, Ut, grads);
    if (second) sequenceBackward(second.seq, second.Ut, second.grads);
  },
};
