/**
 * Review-like texts for the serve load test: sentences of a film review built from templates
 * and word lists (seeded), about `tokens` words each, labelled by which side their opinion words
 * take. Real English words, so encoding, padding and the model do the work real reviews cause.
 */
import { Rng } from '../src/random/rng.js';

const GOOD = [
  'wonderful',
  'brilliant',
  'moving',
  'funny',
  'superb',
  'gripping',
  'charming',
  'great',
];
const BAD = ['boring', 'awful', 'dull', 'clumsy', 'tedious', 'predictable', 'weak', 'terrible'];
const THINGS = [
  'acting',
  'script',
  'plot',
  'ending',
  'soundtrack',
  'cast',
  'direction',
  'dialogue',
];
const PEOPLE = ['the director', 'the lead actor', 'my wife', 'the critics', 'everyone I know'];
const TEMPLATES = [
  'the {thing} was {opinion} and {opinion}, which {person} noticed at once',
  'i went in expecting little, but the {thing} turned out {opinion}',
  'honestly the {thing} felt {opinion} from the first scene to the last',
  '{person} said the {thing} was {opinion}, and i have to agree',
  'what a {opinion} film; the {thing} alone is {opinion}',
  'after an hour the {thing} was still {opinion}, so i kept watching',
];

export interface Review {
  readonly text: string;
  /** 1 positive, 0 negative. */
  readonly label: number;
}

export function reviews(count: number, tokens: number, seed: number): Review[] {
  const rng = new Rng(seed);
  const pick = <T>(list: readonly T[]): T => list[rng.int(list.length)];
  return Array.from({ length: count }, () => {
    const label = rng.int(2);
    const words: string[] = [];
    while (words.length < tokens) {
      // Four opinions in five agree with the label: learnable, not trivial.
      const sentence = pick(TEMPLATES)
        .replace(/\{thing\}/g, () => pick(THINGS))
        .replace(/\{person\}/g, () => pick(PEOPLE))
        .replace(/\{opinion\}/g, () => pick(rng.int(5) < 4 === (label === 1) ? GOOD : BAD));
      words.push(...sentence.split(' '));
    }
    return { text: `${words.slice(0, tokens).join(' ')}.`, label };
  });
}
