import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildSentimentModel, type Architecture } from '../../src/experiments/architectures.js';
import { explain } from '../../src/explain/index.js';
import { Dense } from '../../src/layers/dense.js';
import { Embedding } from '../../src/layers/embedding.js';
import { GRU } from '../../src/layers/gru.js';
import { Sequential } from '../../src/models/sequential.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { Vocabulary } from '../../src/text/vocabulary.js';

const T = 9;
const D = 4;
const H = 3;
const WORDS = ['the', 'movie', 'was', 'not', 'bad', 'at', 'all', 'good', 'plot', 'acting'];
// numWords 12 keeps ranks 1–8 ('the' … 'good'): 'plot' and 'acting' are out of vocabulary.
const vocabulary = new Vocabulary(WORDS, 12);
const TEXT = 'The plot, the acting: the movie was not bad at all';

/** A small model whose embeddings are scaled up, so its cells saturate and the output moves. */
function tinyModel(architecture: Architecture): Sequential {
  const model = buildSentimentModel({
    architecture,
    numWords: 12,
    maxlen: T,
    embeddingDim: D,
    units: H,
    filters: 5,
    kernelSize: 3,
    seed: 5,
  });
  const table = model.layers[0].params()[0].value.data;
  for (let i = 0; i < table.length; i++) table[i] *= 40;
  return model;
}

const weights = (model: Sequential, layer: number) =>
  model.layers[layer].params().map((p) => Float64Array.from(p.value.data));
const sigmoid = (v: number) => 1 / (1 + Math.exp(-v));

/** x_t·W + h·U (+ biases) for the gate columns [from, from + H) in float64. */
function project(
  x: ArrayLike<number>,
  W: Float64Array,
  h: readonly number[],
  U: Float64Array,
  G: number,
  col: number,
): number {
  let s = 0;
  for (let d = 0; d < D; d++) s += x[d] * W[d * G * H + col];
  for (let k = 0; k < H; k++) s += h[k] * U[k * G * H + col];
  return s;
}

/** Per step float64 gates [gate][t][unit] and h [t][unit] of the model's recurrent layer. */
function referenceRun(model: Sequential, ids: Int32Array): { gates: number[][][]; h: number[][] } {
  const [table] = weights(model, 0);
  const cell = model.layers[1].className;
  const [W, U, b] = weights(model, 1);
  const G = cell === 'LSTM' ? 4 : cell === 'GRU' ? 3 : 1;
  const gates: number[][][] = Array.from({ length: G }, () => []);
  const hs: number[][] = [];
  let h = new Array<number>(H).fill(0);
  const c = new Array<number>(H).fill(0);
  for (let t = 0; t < T; t++) {
    const x = table.subarray(ids[t] * D, (ids[t] + 1) * D);
    const noInput = new Array<number>(D).fill(0);
    const noState = new Array<number>(H).fill(0);
    const pre = (g: number, j: number) => project(x, W, h, U, G, g * H + j) + b[g * H + j];
    const next = new Array<number>(H);
    const now: number[][] = Array.from({ length: G }, () => new Array<number>(H));
    for (let j = 0; j < H; j++) {
      if (cell === 'LSTM') {
        const [i, f, g, o] = [
          sigmoid(pre(0, j)),
          sigmoid(pre(1, j)),
          Math.tanh(pre(2, j)),
          sigmoid(pre(3, j)),
        ];
        c[j] = f * c[j] + i * g;
        next[j] = o * Math.tanh(c[j]);
        [now[0][j], now[1][j], now[2][j], now[3][j]] = [i, f, g, o];
      } else if (cell === 'GRU') {
        // resetAfter: bias row 1 is the recurrent bias; the reset gate scales h·U_h + b_rec_h.
        const rec = (g: number) => project(noInput, W, h, U, G, g * H + j) + b[3 * H + g * H + j];
        const inp = (g: number) => project(x, W, noState, U, G, g * H + j) + b[g * H + j];
        const z = sigmoid(inp(0) + rec(0));
        const r = sigmoid(inp(1) + rec(1));
        const hh = Math.tanh(inp(2) + r * rec(2));
        next[j] = z * h[j] + (1 - z) * hh;
        [now[0][j], now[1][j], now[2][j]] = [z, r, hh];
      } else {
        next[j] = Math.tanh(pre(0, j));
        now[0][j] = next[j];
      }
    }
    now.forEach((g, k) => gates[k].push(g));
    h = next;
    hs.push([...h]);
  }
  return { gates, h: hs };
}

const predict = (model: Sequential, ids: Int32Array): number =>
  model.predict(new Tensor(Float32Array.from(ids), [1, T])).data[0];

describe('explain', () => {
  it('marks padding, the start, out-of-vocabulary words and truncation', () => {
    const e = explain(tinyModel('lstm'), TEXT, { vocabulary });
    // 1 start + 11 tokens = 12 ids, maxlen 9: the first 3 (start, 'the', 'plot') are cut.
    assert.deepEqual(e.truncated, { count: 3, tokens: ['<start>', 'the', '<oov:plot>'] });
    assert.deepEqual(
      e.tokens.map((t) => t.text),
      ['the', '<oov:acting>', 'the', 'movie', 'was', 'not', 'bad', 'at', 'all'],
    );
    assert.equal(e.tokens[1].kind, 'oov');
    const short = explain(tinyModel('lstm'), 'not bad', { vocabulary });
    assert.deepEqual(
      short.tokens.map((t) => t.kind),
      ['pad', 'pad', 'pad', 'pad', 'pad', 'pad', 'start', 'word', 'word'],
    );
    assert.equal(short.truncated.count, 0);
    assert.throws(() => explain(tinyModel('lstm'), 'x'), /needs the model vocabulary/);
    assert.throws(() => explain(tinyModel('lstm'), [1, 99]), /id 99 at 1 is outside/);
  });

  for (const architecture of ['lstm', 'gru', 'rnn'] as const) {
    it(`${architecture}: gates and states equal a per-step float64 run; running prediction ends at predict`, () => {
      const model = tinyModel(architecture);
      const e = explain(model, TEXT, { vocabulary });
      const ids = Int32Array.from(e.tokens, (t) => t.id);
      const want = referenceRun(model, ids);
      const [trace] = e.recurrent;
      assert.equal(e.recurrent.length, 1);
      const names = Object.keys(trace.gates);
      assert.deepEqual(
        names,
        {
          lstm: ['input', 'forget', 'candidate', 'output'],
          gru: ['update', 'reset', 'candidate'],
          rnn: [],
        }[architecture],
      );
      const near = (a: number, b: number, what: string) =>
        assert.ok(Math.abs(a - b) <= 1e-5, `${what}: ${a} vs float64 ${b}`);
      names.forEach((name, g) => {
        for (let t = 0; t < T; t++) {
          for (let j = 0; j < H; j++)
            near(trace.gates[name][t][j], want.gates[g][t][j], `${name}[${t}][${j}]`);
          near(
            trace.gateMeans[name][t],
            want.gates[g][t].reduce((a, b) => a + b) / H,
            `mean ${name}[${t}]`,
          );
        }
      });
      for (let t = 0; t < T; t++) {
        for (let j = 0; j < H; j++) near(trace.h[t][j], want.h[t][j], `h[${t}][${j}]`);
        near(trace.hNorm[t], Math.hypot(...want.h[t]), `‖h_${t}‖`);
      }
      assert.equal(trace.cNorm === null, architecture !== 'lstm');
      // Saturated cells: some gate must be far from its initial 0.5 for the check to mean much.
      assert.ok(want.h.flat().some((v) => Math.abs(v) > 0.3));

      assert.equal(e.running.method, 'state');
      assert.equal(e.running.values.length, T);
      near(e.running.values[T - 1], predict(model, ids), 'running prediction at the last token');
      near(e.output.value, predict(model, ids), 'explained output');
      assert.ok(
        new Set(e.running.values.map((v) => v.toFixed(6))).size > 1,
        'the prediction moves',
      );
    });
  }

  for (const architecture of ['lstm', 'gru', 'rnn', 'cnn', 'bilstm'] as const) {
    it(`${architecture}: integrated-gradients attributions sum to f(x) − f(baseline) within 1%`, () => {
      const model = tinyModel(architecture);
      const e = explain(model, 'not bad at all', { vocabulary });
      const a = e.attribution;
      const sum = a.values.reduce((s, v) => s + v, 0);
      const expected = a.output - a.baselineOutput;
      assert.ok(
        Math.abs(expected) > 0.01,
        `the output moves between baseline and text (${expected})`,
      );
      assert.ok(
        Math.abs(sum - expected) <= 0.01 * Math.abs(expected),
        `Σ ${sum} vs ${expected} (${a.steps} steps)`,
      );
      assert.equal(a.completeness.ok, true);
      assert.ok(Math.abs(a.completeness.sum - sum) < 1e-9);
      e.tokens.forEach((t, i) => {
        if (t.kind === 'pad')
          assert.equal(a.values[i], 0, 'padding keeps its embedding: no attribution');
      });
      assert.ok(
        Math.abs(
          a.output -
            predict(
              model,
              Int32Array.from(e.tokens, (t) => t.id),
            ),
        ) < 1e-5,
      );
    });
  }

  it('bilstm: both directions traced; its running prediction is the model on each prefix', () => {
    const model = tinyModel('bilstm');
    const e = explain(model, TEXT, { vocabulary });
    assert.deepEqual(
      e.recurrent.map((r) => [r.layer, r.direction]),
      [
        ['forward_lstm', 'forward'],
        ['backward_lstm', 'backward'],
      ],
    );
    for (const r of e.recurrent) assert.equal(r.gates.forget.length, T);
    assert.equal(e.running.method, 'prefix');
    const ids = Int32Array.from(e.tokens, (t) => t.id);
    const prefix = new Int32Array(T);
    prefix.set(ids.subarray(0, 4), T - 4);
    assert.ok(Math.abs(e.running.values[3] - predict(model, prefix)) < 1e-6);
    assert.ok(Math.abs(e.running.values[T - 1] - predict(model, ids)) < 1e-6);
  });

  it('multi-class (softmax): explains the predicted class', () => {
    const model = new Sequential({ seed: 4 })
      .add(new Embedding({ inputDim: 12, outputDim: D }))
      .add(new GRU({ units: H }))
      .add(new Dense({ units: 3, activation: 'softmax' }))
      .build([T]);
    const table = model.layers[0].params()[0].value.data;
    for (let i = 0; i < table.length; i++) table[i] *= 40;
    const e = explain(model, TEXT, { vocabulary });
    const ids = Float32Array.from(e.tokens, (t) => t.id);
    const p = Array.from(model.predict(new Tensor(ids, [1, T])).data);
    const k = p.indexOf(Math.max(...p));
    assert.equal(e.output.unit, k);
    assert.equal(e.output.predictedClass, k);
    assert.equal(e.output.meaning, `P(class ${k})`);
    assert.ok(Math.abs(e.running.values[T - 1] - p[k]) < 1e-6);
    assert.equal(e.attribution.completeness.ok, true);
    assert.throws(
      () => explain(model, TEXT, { vocabulary, steps: 1024 }),
      /steps \(1024\) must be ≤ maxSteps \(512\)/,
    );
  });

  it('cnn: top filters, ranked, with the window of their max', () => {
    const model = tinyModel('cnn');
    const e = explain(model, TEXT, { vocabulary, topFilters: 3 });
    assert.equal(e.recurrent.length, 0);
    const filters = e.filters ?? assert.fail('the CNN has filters');
    assert.equal(filters.length, 3);
    for (let i = 1; i < filters.length; i++) {
      assert.ok(Math.abs(filters[i - 1].contribution) >= Math.abs(filters[i].contribution));
    }
    for (const f of filters) {
      assert.equal(f.activations.length, T - 2, "'valid' convolution of width 3");
      const at = f.activations.indexOf(Math.max(...f.activations));
      assert.equal(f.activation, f.activations[at]);
      assert.deepEqual(f.positions, [at, at + 1, at + 2]);
      assert.deepEqual(
        f.tokens,
        f.positions.map((p) => e.tokens[p].text),
      );
    }
    assert.equal(explain(tinyModel('lstm'), TEXT, { vocabulary }).filters, null);
  });
});
