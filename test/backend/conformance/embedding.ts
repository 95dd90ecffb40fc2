import { Rng } from '../../../src/random/rng.js';
import { check, dyadic, EXACT, GUARD, span, uniform, type SuiteContext } from './harness.js';

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

export const embeddingCases = { gather, scatterAdd };
