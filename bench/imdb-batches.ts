import type { Backend } from '../src/backend/backend.js';
import { loadImdb } from '../src/data/imdb.js';
import { Tensor } from '../src/tensor/tensor.js';
import { SEED } from './model-timing.js';

/**
 * `count` batches of the seed shape from the IMDB training reviews (the archive or folder at
 * `data`, encoded as the reference experiment encodes them: 10,000 words, 200 ids, 'pre'
 * padding), in the split's shuffled order: what the reference experiment trains on. Real text
 * repeats its words, so a batch holds fewer distinct ids than the uniform synthetic batches.
 */
export async function imdbBatches(
  backend: Backend,
  data: string,
  count: number,
): Promise<[Tensor, Tensor][]> {
  const { numWords, maxlen, batch } = SEED;
  const { train } = await loadImdb({ data, numWords, maxlen });
  if (train.count < count * batch) {
    throw new Error(
      `bench: ${data} holds ${train.count} training reviews, fewer than ${count * batch}`,
    );
  }
  return Array.from({ length: count }, (_, k) => {
    const x = backend.alloc(batch * maxlen);
    x.set(train.x.subarray(k * batch * maxlen, (k + 1) * batch * maxlen));
    const y = backend.alloc(batch);
    y.set(train.y.subarray(k * batch, (k + 1) * batch));
    return [new Tensor(x, [batch, maxlen]), new Tensor(y, [batch, 1])];
  });
}
