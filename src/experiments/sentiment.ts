import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Backend } from '../backend/backend.js';
import { loadImdb } from '../data/index.js';
import { loadModel, ModelFileError } from '../io/model-dir.js';
import type { Logs } from '../models/callbacks.js';
import type { Sequential } from '../models/sequential.js';
import { padSequences } from '../text/pad.js';
import { Vocabulary } from '../text/vocabulary.js';
import { Tensor } from '../tensor/tensor.js';
import { splitTensors, VOCAB_FILE } from './train-run.js';

export interface SentimentPrediction {
  readonly text: string;
  /** P(positive) from the sigmoid output. */
  readonly probability: number;
  readonly label: 'positive' | 'negative';
}

/** A trained model with the vocabulary it was trained with: raw review text in, sentiment out. */
export class SentimentClassifier {
  constructor(
    readonly model: Sequential,
    readonly vocabulary: Vocabulary,
  ) {}

  /** Loads a run directory written by `gated train` (model.json, weights.safetensors, vocab.json). */
  static async load(dir: string, backend?: Backend): Promise<SentimentClassifier> {
    const { model } = await loadModel(dir, backend);
    const path = join(dir, VOCAB_FILE);
    let vocabulary: Vocabulary;
    try {
      vocabulary = Vocabulary.fromJSON(JSON.parse(await readFile(path, 'utf8')));
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      throw new ModelFileError(
        `${path}: ${code ? `cannot read (${code})` : (err as Error).message}`,
      );
    }
    return new SentimentClassifier(model, vocabulary);
  }

  get maxlen(): number {
    return this.model.inputShape[0];
  }

  /** Encodes each text with the saved vocabulary, pads it like training ('pre'), and predicts. */
  predict(texts: readonly string[]): SentimentPrediction[] {
    if (texts.length === 0) return [];
    const ids = padSequences(
      texts.map((t) => this.vocabulary.encode(t)),
      this.maxlen,
    );
    const probabilities = this.model.predict(
      new Tensor(Float32Array.from(ids), [texts.length, this.maxlen]),
    );
    return texts.map((text, i) => {
      const probability = probabilities.data[i];
      return { text, probability, label: probability >= 0.5 ? 'positive' : 'negative' };
    });
  }

  /**
   * Loss and accuracy on the IMDB test split (its first `limit` reviews, balanced, with `limit`),
   * encoded exactly as in training; with how many reviews and which archive or folder it read.
   */
  async evaluateImdb(options: {
    data?: string;
    limit?: number;
    batchSize?: number;
    onProgress?: (msg: string) => void;
  }): Promise<{ logs: Logs; reviews: number; source: string }> {
    const data = await loadImdb({
      numWords: this.vocabulary.numWords,
      maxlen: this.maxlen,
      ...(options.data !== undefined ? { data: options.data } : {}),
      ...(options.limit !== undefined ? { limit: options.limit } : {}),
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    });
    if (JSON.stringify(data.vocabulary.toJSON()) !== JSON.stringify(this.vocabulary.toJSON())) {
      throw new Error(
        `the dataset at ${data.source} does not give the vocabulary this model was trained with`,
      );
    }
    const test = splitTensors(data.test);
    const logs = this.model.evaluate(test.x, test.y, { batchSize: options.batchSize ?? 64 });
    return { logs, reviews: data.test.count, source: data.source };
  }
}
