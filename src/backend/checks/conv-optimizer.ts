import type { ConvOps, Window1d } from '../conv-ops.js';
import type { OptimizerOps } from '../optimizer-ops.js';
import { Args } from './args.js';
import type { Checks } from './types.js';

/** The activations whose derivative is elementwise (softmax couples a row). */
const SPARSE_KINDS = ['linear', 'sigmoid', 'tanh', 'relu'] as const;

/** A window's sizes, and its arrays' lengths: input, output (per step), im2col rows. */
function windowLengths(c: Args, w: Window1d) {
  if (typeof w !== 'object' || w === null) c.fail('window must be an object');
  const batch = c.size('batch', w.batch);
  const steps = c.size('steps', w.steps);
  const channels = c.size('channels', w.channels);
  const size = c.size('size', w.size);
  const stride = c.size('stride', w.stride);
  const dilation = c.size('dilation', w.dilation);
  c.size('padLeft', w.padLeft);
  const outSteps = c.size('outSteps', w.outSteps);
  if (size < 1 || stride < 1 || dilation < 1) {
    c.fail('window size, stride and dilation must be ≥ 1');
  }
  const output = batch * outSteps * channels;
  return { input: batch * steps * channels, output, cols: output * size };
}

/** (x or dy, batch, steps, channels, mask, y or dx) of global average pooling. */
function avgPool(op: string, ...[input, batch, steps, channels, mask, output]: unknown[]) {
  const c = new Args(op);
  const [B, T, C] = [c.size('batch', batch), c.size('steps', steps), c.size('channels', channels)];
  const forward = op === 'globalAvgPool1d';
  c.floatSpan(forward ? 'x' : 'dy', input, 0, forward ? B * T * C : B * C);
  c.maskSpan('mask', mask, 0, B * T);
  c.floatSpan(forward ? 'y' : 'dx', output, 0, forward ? B * C : B * T * C);
  return B * C > 0;
}

/** (w, grad, n, clip) of every optimizer update; returns n. */
function update(c: Args, w: unknown, grad: unknown, n: unknown, clip: unknown): number {
  const count = c.size('n', n);
  c.floatSpan('w', w, 0, count);
  c.floatSpan('grad', grad, 0, count);
  if (typeof clip !== 'object' || clip === null) c.fail('clip must be an object');
  const { scale, clipValue } = clip as Record<string, unknown>;
  c.number('clipScale', scale);
  c.number('clipValue', clipValue);
  return count;
}

/** Numbers of an optimizer's step settings. */
function settings(c: Args, step: unknown, names: readonly string[]): void {
  if (typeof step !== 'object' || step === null) c.fail('step must be an object');
  for (const name of names) c.number(name, (step as Record<string, unknown>)[name]);
}

export const convOptimizerChecks: Checks<keyof ConvOps | keyof OptimizerOps> = {
  im2col1d(x, w, cols) {
    const c = new Args('im2col1d');
    const n = windowLengths(c, w);
    c.floatSpan('x', x, 0, n.input);
    c.floatSpan('cols', cols, 0, n.cols);
    return n.cols > 0;
  },
  col2im1d(dCols, w, dx) {
    const c = new Args('col2im1d');
    const n = windowLengths(c, w);
    c.floatSpan('dCols', dCols, 0, n.cols);
    c.floatSpan('dx', dx, 0, n.input);
    return n.input > 0;
  },
  maxPool1d(x, w, y, argmax) {
    const c = new Args('maxPool1d');
    const n = windowLengths(c, w);
    c.floatSpan('x', x, 0, n.input);
    c.floatSpan('y', y, 0, n.output);
    c.span('argmax', c.ints('argmax', argmax), 0, n.output);
    if (w.steps === 0 && n.output > 0) c.fail('input has no timesteps');
    return n.output > 0;
  },
  maxPool1dBackward(dy, argmax, w, dx) {
    const c = new Args('maxPool1dBackward');
    const n = windowLengths(c, w);
    c.floatSpan('dy', dy, 0, n.output);
    const am = c.ints('argmax', argmax);
    c.span('argmax', am, 0, n.output);
    for (let i = 0; i < n.output; i++) {
      if (am[i] < 0 || am[i] >= n.input) c.fail(`argmax ${am[i]} at ${i} is outside the input`);
    }
    c.floatSpan('dx', dx, 0, n.input);
    return n.input > 0;
  },
  conv1dBackwardSparse(out, x, w, kernel, filters, grads) {
    const c = new Args('conv1dBackwardSparse');
    const { kind, y, dy, at, count } = c.record('out', out);
    const { dKernel, dBias, dx } = c.record('grads', grads);
    c.choice('out.kind', kind, SPARSE_KINDS);
    const n = windowLengths(c, w);
    const F = c.size('filters', filters);
    const outputs = w.batch * w.outSteps * F;
    const weights = w.size * w.channels * F;
    c.floatSpan('out.y', y, 0, outputs);
    c.floatSpan('out.dy', dy, 0, outputs);
    const list = c.ints('out.at', at);
    const entries = c.size('out.count', count);
    c.span('out.at', list, 0, entries);
    for (let e = 0; e < entries; e++) {
      if (list[e] < 0 || list[e] >= outputs)
        c.fail(`out.at[${e}] = ${list[e]} is outside the output`);
    }
    c.floatSpan('x', x, 0, n.input);
    c.floatSpan('kernel', kernel, 0, weights);
    c.floatSpan('grads.dKernel', dKernel, 0, weights);
    c.floatSpanOrNull('grads.dBias', dBias, 0, F);
    c.floatSpan('grads.dx', dx, 0, n.input);
    return n.input > 0 || (dBias !== null && F > 0);
  },
  globalAvgPool1d: (...a) => avgPool('globalAvgPool1d', ...a),
  globalAvgPool1dBackward: (...a) => avgPool('globalAvgPool1dBackward', ...a),

  sgdUpdate(w, grad, n, clip, step, momentum) {
    const c = new Args('sgdUpdate');
    const count = update(c, w, grad, n, clip);
    settings(c, step, ['learningRate', 'momentum']);
    c.flag('nesterov', step.nesterov);
    c.floatSpanOrNull('momentum slot', momentum, 0, count);
    return count > 0;
  },
  rmspropUpdate(w, grad, n, clip, step, velocity, momentum, averageGrad) {
    const c = new Args('rmspropUpdate');
    const count = update(c, w, grad, n, clip);
    settings(c, step, ['learningRate', 'rho', 'momentum', 'epsilon']);
    c.floatSpan('velocity', velocity, 0, count);
    c.floatSpanOrNull('momentum slot', momentum, 0, count);
    c.floatSpanOrNull('averageGrad', averageGrad, 0, count);
    return count > 0;
  },
  adamUpdate: (w, grad, n, clip, step, m, v) =>
    adam(new Args('adamUpdate'), w, grad, n, clip, step, m, v) > 0,
  adamUpdateRows(w, grad, n, clip, step, m, v, rowSize, rows) {
    const c = new Args('adamUpdateRows');
    const count = adam(c, w, grad, n, clip, step, m, v);
    const size = c.size('rowSize', rowSize);
    const list = c.ints('rows', rows);
    c.distinctIds('rows', list, size === 0 ? 0 : Math.floor(count / size));
    return list.length * size > 0;
  },
};

/** (w, grad, n, clip, step, m, v) of adamUpdate and adamUpdateRows; returns n. */
function adam(c: Args, ...[w, grad, n, clip, step, m, v]: unknown[]): number {
  const count = update(c, w, grad, n, clip);
  settings(c, step, ['alpha', 'beta1', 'beta2', 'epsilon']);
  c.floatSpan('m', m, 0, count);
  c.floatSpan('v', v, 0, count);
  return count;
}
