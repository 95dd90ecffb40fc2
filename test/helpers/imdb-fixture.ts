/** Tiny IMDB-layout datasets built in a temp dir: a .tar.gz (tar-stream + gzip) or a folder. */
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import * as tar from 'tar-stream';

export interface FixtureReview {
  split: 'train' | 'test';
  folder: 'pos' | 'neg';
  id: number;
  rating: number;
  text: string;
}

/**
 * `perFolder` reviews in each of train/test × pos/neg. Every review has "the" three times and
 * "film" twice, then "good" (pos) or "bad" (neg), then a word unique to it; test reviews add
 * "unseen", a word absent from training. In training: the=1, film=2, bad=3 and good=4 (a tie,
 * broken by the word), then the unique words.
 */
export function fixtureReviews(perFolder: number): FixtureReview[] {
  const reviews: FixtureReview[] = [];
  for (const split of ['train', 'test'] as const) {
    for (const folder of ['pos', 'neg'] as const) {
      for (let id = 0; id < perFolder; id++) {
        const opinion = folder === 'pos' ? 'good' : 'bad';
        const extra = split === 'test' ? ' unseen' : '';
        const text = `The film, the<br />THE film: ${opinion}! ${split}${folder}${id}${extra}`;
        const rating = folder === 'pos' ? 7 + (id % 4) : 1 + (id % 4);
        reviews.push({ split, folder, id, rating, text });
      }
    }
  }
  return reviews;
}

export function reviewPath(review: FixtureReview): string {
  return `aclImdb/${review.split}/${review.folder}/${review.id}_${review.rating}.txt`;
}

/** Members of the real archive that are not reviews: the reader must skip them. */
const OTHER_MEMBERS: Record<string, string> = {
  'aclImdb/README': 'Large Movie Review Dataset v1.0',
  'aclImdb/imdb.vocab': 'the\nfilm\n',
  'aclImdb/train/unsup/0_0.txt': 'an unlabelled review',
  'aclImdb/train/labeledBow.feat': '0 1:1',
  'aclImdb/train/urls_pos.txt': 'http://www.imdb.com/title/tt0453418/usercomments',
};

export async function tempDir(prefix = 'gated-test-'): Promise<string> {
  return mkdtemp(join(tmpdir(), prefix));
}

/** The uncompressed tar bytes of the reviews (plus the usual other members). */
export async function tarBytes(reviews: FixtureReview[], withOtherMembers = true): Promise<Buffer> {
  const pack = tar.pack();
  const members: [string, string][] = reviews.map((r) => [reviewPath(r), r.text]);
  if (withOtherMembers) members.push(...Object.entries(OTHER_MEMBERS));
  pack.entry({ name: 'aclImdb/', type: 'directory' });
  for (const [name, text] of members) pack.entry({ name }, text);
  pack.finalize();
  const chunks: Buffer[] = [];
  for await (const chunk of pack) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

export async function writeArchive(dir: string, reviews: FixtureReview[]): Promise<string> {
  const file = join(dir, 'aclImdb_v1.tar.gz');
  await writeFile(file, gzipSync(await tarBytes(reviews)));
  return file;
}

/** Writes the extracted layout under `dir` (so `dir` holds `aclImdb/`). */
export async function writeFolder(dir: string, reviews: FixtureReview[]): Promise<void> {
  for (const [name, text] of [
    ...reviews.map((r): [string, string] => [reviewPath(r), r.text]),
    ...Object.entries(OTHER_MEMBERS),
  ]) {
    await mkdir(dirname(join(dir, name)), { recursive: true });
    await writeFile(join(dir, name), text);
  }
}
