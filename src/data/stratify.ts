/** Seeded splits that keep each class's share (scikit-learn's `stratify=`), for test and validation. */
import type { Rng } from '../random/rng.js';

/**
 * `rows` split into [kept, held] with `heldCount` held out, each class (by `classOf`) in
 * proportion to its size, rounded by largest remainders (every class within one row of its
 * share). Both parts come back shuffled.
 */
export function stratifiedSplit(
  rows: ArrayLike<number>,
  classOf: (row: number) => number,
  heldCount: number,
  rng: Rng,
): { kept: Int32Array; held: Int32Array } {
  const byClass = new Map<number, number[]>();
  for (let i = 0; i < rows.length; i++) {
    const c = classOf(rows[i]);
    let members = byClass.get(c);
    if (!members) byClass.set(c, (members = []));
    members.push(rows[i]);
  }
  const classes = [...byClass.keys()].sort((a, b) => a - b);
  const exact = classes.map((c) => (byClass.get(c)!.length * heldCount) / rows.length);
  const quota = exact.map(Math.floor);
  let missing = heldCount - quota.reduce((a, b) => a + b, 0);
  const byRemainder = classes
    .map((_, i) => i)
    .sort((a, b) => exact[b] - quota[b] - (exact[a] - quota[a]) || a - b);
  for (const i of byRemainder) {
    if (missing-- <= 0) break;
    quota[i]++;
  }
  const kept: number[] = [];
  const held: number[] = [];
  classes.forEach((c, i) => {
    const members = byClass.get(c)!;
    rng.shuffle(members);
    // A loop, not push(...members): spreading 100,000+ values overflows the call stack.
    members.forEach((row, j) => (j < quota[i] ? held : kept).push(row));
  });
  const [keptRows, heldRows] = [Int32Array.from(kept), Int32Array.from(held)];
  rng.shuffle(keptRows);
  rng.shuffle(heldRows);
  return { kept: keptRows, held: heldRows };
}

/**
 * `rows` ordered for `fit({ validationSplit })`, which holds out the last fraction: a stratified
 * validation part placed last, the rest (shuffled) before it.
 */
export function orderForValidation(
  rows: ArrayLike<number>,
  classOf: (row: number) => number,
  fraction: number,
  rng: Rng,
): Int32Array {
  // The count fit holds out: the rows from floor(n · (1 − fraction)) on.
  const heldCount = rows.length - Math.floor(rows.length * (1 - fraction));
  const { kept, held } = stratifiedSplit(rows, classOf, heldCount, rng);
  const order = new Int32Array(rows.length);
  order.set(kept);
  order.set(held, kept.length);
  return order;
}
