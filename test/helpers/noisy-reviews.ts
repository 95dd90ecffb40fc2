/** IMDB-layout reviews a small model overfits within a few epochs: label noise plus filler words. */
import { Rng } from '../../src/random/rng.js';
import type { FixtureReview } from './imdb-fixture.js';

/**
 * `perFolder` reviews in each of train/test × pos/neg: eight words drawn from a pool of 40 and
 * "good" or "bad", which agrees with the label in `honestPercent` of the reviews. The filler
 * words are what the model memorises once it has learnt "good"/"bad", so val_loss turns up.
 */
export function noisyReviews(perFolder: number, honestPercent = 85, seed = 5): FixtureReview[] {
  const rng = new Rng(seed);
  const pool = Array.from({ length: 40 }, (_, i) => `w${i}`);
  const reviews: FixtureReview[] = [];
  for (const split of ['train', 'test'] as const) {
    for (const folder of ['pos', 'neg'] as const) {
      for (let id = 0; id < perFolder; id++) {
        const honest = rng.int(100) < honestPercent;
        const words = Array.from({ length: 8 }, () => pool[rng.int(pool.length)]);
        words.splice(rng.int(8), 0, (folder === 'pos') === honest ? 'good' : 'bad');
        reviews.push({
          split,
          folder,
          id,
          rating: folder === 'pos' ? 8 : 2,
          text: words.join(' '),
        });
      }
    }
  }
  return reviews;
}
