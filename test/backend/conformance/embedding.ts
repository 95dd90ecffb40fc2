import { EMBEDDING_BAG_MODES } from '../../../src/backend/embedding-ops.js';
import { referenceEmbeddingOps } from '../../../src/backend/reference/embedding.js';
import { Rng } from '../../../src/random/rng.js';
import {
  check,
  dyadic,
  EXACT,
  GUARD,
  span,
  uniform,
  type Bound,
  type SuiteContext,
} from './harness.js';

/** [vocabulary, dim, ids] cases; the last is the seed batch (64 × 200 tokens, 10000 × 128). */
function shapes(ctx: SuiteContext): [number, number, number][] {
  const odd: [number, number, number][] = [
    [1, 1, 1],
    [5, 3, 17],
    [65, 17, 63],
    [100, 63, 65],
    [7, 128, 200],
  ];
  return ctx.seedShapes ? [...odd, [10000, 128, 64 * 200]] : odd;
}

/**
 * Ids drawn from a few hot rows plus the rest of the vocabulary, so rows repeat (as frequent
 * words do) and the first and last rows occur.
 */
function idsFor(rng: Rng, vocab: number, count: number): Int32Array {
  const hot = [0, vocab - 1, rng.int(vocab)];
  const ids = Int32Array.from({ length: count }, () =>
    rng.next() < 0.5 ? hot[rng.int(hot.length)] : rng.int(vocab),
  );
  ids[0] = vocab - 1;
  return ids;
}

function gather(ctx: SuiteContext): void {
  const rng = new Rng(201);
  for (const [vocab, dim, count] of shapes(ctx)) {
    const table = uniform(rng, vocab * dim);
    const ids = idsFor(rng, vocab, count);
    const out = uniform(rng, count * dim + GUARD);
    check(ctx, `gather ${vocab}×${dim}, ${count} ids`, (run) => {
      const o = run.out('out', out, span(0, count * dim), EXACT);
      run.backend.gather(run.in('table', table), dim, run.ints('ids', ids), o);
    });
  }
}

function scatterAdd(ctx: SuiteContext): void {
  const rng = new Rng(202);
  for (const [vocab, dim, count] of shapes(ctx)) {
    const dOut = dyadic(rng, count * dim);
    const ids = idsFor(rng, vocab, count);
    const dTable = dyadic(rng, vocab * dim + GUARD);
    check(ctx, `scatterAdd ${count} ids into ${vocab}×${dim}`, (run) => {
      // Rows absent from ids are part of the output and must come back unchanged.
      const t = run.out('dTable', dTable, span(0, vocab * dim), EXACT);
      run.backend.scatterAdd(run.in('dOut', dOut), run.ints('ids', ids), dim, t);
    });
  }
}

/**
 * [vocabulary, dim, bags, largest bag] cases: odd widths, a bag of one id, empty bags (offsets
 * that repeat), and an IMDB-like batch (32 reviews of up to 600 distinct n-grams of a 200k
 * vocabulary into one unit, the NBSVM shape).
 */
function bagShapes(ctx: SuiteContext): [number, number, number, number][] {
  const odd: [number, number, number, number][] = [
    [1, 1, 1, 1],
    [5, 3, 4, 6],
    [65, 17, 9, 40],
    [100, 63, 7, 130],
    [7, 128, 3, 20],
  ];
  return ctx.seedShapes ? [...odd, [200000, 1, 32, 600], [20000, 50, 32, 600]] : odd;
}

/** CSR offsets of `bags` bags of 0..largest ids, some empty, the first one full. */
function offsetsFor(rng: Rng, bags: number, largest: number): Int32Array {
  const offsets = new Int32Array(bags + 1);
  for (let b = 0; b < bags; b++) {
    const size = b === 0 ? largest : rng.next() < 0.2 ? 0 : rng.int(largest + 1);
    offsets[b + 1] = offsets[b] + size;
  }
  return offsets;
}

/**
 * The float summation bound, 4·√(n+1)·u·Σ|w·t| per value (÷ count in 'mean' mode, plus the
 * division's rounding): the float64 reference run on |table| and |weights| gives Σ|w·t|.
 */
function bagBound(
  abs: (out: Float64Array) => void,
  length: number,
  offsets: Int32Array,
  dim: number,
): Bound {
  const magnitude = new Float64Array(length);
  abs(magnitude);
  return (want, i, u) => {
    const b = Math.floor(i / dim);
    const n = b + 1 < offsets.length ? offsets[b + 1] - offsets[b] : 1;
    return 4 * Math.sqrt(n + 1) * u * (magnitude[i] + Math.abs(want));
  };
}

const absolute = (a: Float64Array | null) => (a === null ? null : a.map(Math.abs));

function embeddingBag(ctx: SuiteContext): void {
  const rng = new Rng(203);
  for (const [vocab, dim, bags, largest] of bagShapes(ctx)) {
    const table = uniform(rng, vocab * dim);
    const offsets = offsetsFor(rng, bags, largest);
    const ids = idsFor(rng, vocab, offsets[bags]);
    for (const weights of [null, uniform(rng, ids.length, -2, 2)]) {
      for (const mode of EMBEDDING_BAG_MODES) {
        const out = uniform(rng, bags * dim + GUARD);
        const bound = bagBound(
          (m) =>
            referenceEmbeddingOps.embeddingBag(
              absolute(table)!,
              dim,
              ids,
              offsets,
              absolute(weights),
              mode,
              m,
            ),
          bags * dim,
          offsets,
          dim,
        );
        const label = `${weights ? 'weighted ' : ''}${mode}`;
        check(ctx, `embeddingBag ${label}: ${bags} bags ≤ ${largest} of ${vocab}×${dim}`, (run) => {
          const o = run.out('out', out, span(0, bags * dim), bound);
          const w = weights === null ? null : run.in('weights', weights);
          run.backend.embeddingBag(
            run.in('table', table),
            dim,
            run.ints('ids', ids),
            run.ints('offsets', offsets),
            w,
            mode,
            o,
          );
        });
      }
    }
  }
}

function embeddingBagBackward(ctx: SuiteContext): void {
  const rng = new Rng(204);
  for (const [vocab, dim, bags, largest] of bagShapes(ctx)) {
    const dOut = uniform(rng, bags * dim);
    const offsets = offsetsFor(rng, bags, largest);
    const ids = idsFor(rng, vocab, offsets[bags]);
    const dTable = uniform(rng, vocab * dim + GUARD);
    for (const weights of [null, uniform(rng, ids.length, -2, 2)]) {
      for (const mode of EMBEDDING_BAG_MODES) {
        // Σ|contributions| per table value, plus the starting value: the bound's scale. A row
        // absent from ids must come back unchanged (its bound is 0 there).
        const magnitude = absolute(dTable)!;
        referenceEmbeddingOps.embeddingBagBackward(
          absolute(dOut)!,
          ids,
          offsets,
          absolute(weights),
          mode,
          dim,
          magnitude,
        );
        const hits = new Float64Array(vocab);
        for (const id of ids) hits[id]++;
        const bound: Bound = (_want, i, u) =>
          4 * Math.sqrt(hits[Math.floor(i / dim)] + 1) * u * magnitude[i] * 2;
        const label = `${weights ? 'weighted ' : ''}${mode}`;
        check(ctx, `embeddingBagBackward ${label}: ${bags} bags into ${vocab}×${dim}`, (run) => {
          const t = run.out('dTable', dTable, span(0, vocab * dim), bound);
          const w = weights === null ? null : run.in('weights', weights);
          run.backend.embeddingBagBackward(
            run.in('dOut', dOut),
            run.ints('ids', ids),
            run.ints('offsets', offsets),
            w,
            mode,
            dim,
            t,
          );
        });
      }
    }
  }
}

export const embeddingCases = { gather, scatterAdd, embeddingBag, embeddingBagBackward };
