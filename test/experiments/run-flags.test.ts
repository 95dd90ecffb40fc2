import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createReferenceBackend } from '../../src/backend/reference/index.js';
import {
  ARCHITECTURES,
  buildSentimentModel,
  sentimentParamCount,
} from '../../src/experiments/architectures.js';
import { FlagError, validateRunFlags } from '../../src/experiments/run-flags.js';

const VALID = {
  architecture: 'lstm',
  numWords: 10000,
  maxlen: 200,
  embeddingDim: 128,
  units: 64,
  filters: 128,
  kernelSize: 5,
  optimizer: 'adam',
  learningRate: 0.001,
  batchSize: 64,
  validationSplit: 0.2,
  epochs: 100,
  seed: 1,
};

test('the reference experiment passes, with every optional flag', () => {
  assert.deepEqual(validateRunFlags({ ...VALID }), VALID);
  const all = {
    ...VALID,
    clipnorm: 1,
    lazyEmbeddings: true,
    data: '/x.tar.gz',
    limit: 9,
    earlyStopping: 3,
  };
  assert.deepEqual(validateRunFlags({ ...all, checkpoint: true, csv: 'log.csv' }), {
    ...all,
    checkpoint: true,
    csv: 'log.csv',
  });
});

const refused: [string, Record<string, unknown>, string, RegExp][] = [
  ['earlyStopping 0', { earlyStopping: 0 }, 'earlyStopping', /at least 1/],
  ['an unknown architecture', { architecture: 'evil' }, 'architecture', /one of: lstm/],
  ['a string where a number goes', { units: '64' }, 'units', /integer/],
  ['an unknown key', { shell: 'rm -rf' }, 'shell' as never, /not a gated train flag/],
  ['a missing required flag', { maxlen: undefined }, 'maxlen', /required/],
  ['a maxlen past the limit', { maxlen: 1e9 }, 'maxlen', /from 1 to 10000/],
  ['numWords below the reserved ids', { numWords: 3 }, 'numWords', /at least 4/],
  ['a non-positive learning rate', { learningRate: -1 }, 'learningRate', /positive/],
  ['validationSplit 1', { validationSplit: 1 }, 'validationSplit', /\[0, 1\)/],
  ['checkpoint false', { checkpoint: false }, 'checkpoint', /true/],
  ['lazyEmbeddings false', { lazyEmbeddings: false }, 'lazyEmbeddings', /true/],
  [
    'lazy embeddings with SGD',
    { lazyEmbeddings: true, optimizer: 'sgd' },
    'lazyEmbeddings',
    /an Adam option, not sgd's/,
  ],
  ['a NUL in the csv path', { csv: 'a\0b' }, 'csv', /file path/],
  [
    'early stopping without validation',
    { earlyStopping: 2, validationSplit: 0 },
    'earlyStopping',
    /validation split/,
  ],
  ['a CNN wider than its input', { architecture: 'cnn', kernelSize: 300 }, 'kernelSize', /200/],
  [
    'cnn-multi on inputs shorter than its widest kernel',
    { architecture: 'cnn-multi', maxlen: 4 },
    'maxlen',
    /at least 5, the widest kernel of cnn-multi/,
  ],
  [
    'cnn-multi filters past the activation limit',
    { architecture: 'cnn-multi', filters: 20000 },
    'filters',
    /parameters, more than gated's limit.*lower --filters/,
  ],
  // The two that used to reach `new Float32Array(40000000000)`.
  ['--units 100000', { units: 100000 }, 'units', /parameters, more than gated's limit/],
  [
    '--num-words 100000000',
    { numWords: 100000000 },
    'numWords',
    /12,800,\d{3},\d{3} parameters.*lower --num-words/,
  ],
  ['a huge batch', { batchSize: 1e6 }, 'batchSize', /activation values/],
];

for (const [what, change, key, why] of refused) {
  test(`refused: ${what}, naming ${key}`, () => {
    assert.throws(
      () => validateRunFlags({ ...VALID, ...change }),
      (err: unknown) => {
        assert.ok(err instanceof FlagError, String(err));
        assert.equal(err.key, key);
        assert.match(err.why, why);
        return true;
      },
    );
  });
}

test('sentimentParamCount is what every architecture builds, without building it', () => {
  const backend = createReferenceBackend('float32');
  for (const architecture of ARCHITECTURES) {
    const o = {
      architecture,
      numWords: 30,
      maxlen: 9,
      embeddingDim: 5,
      units: 3,
      filters: 4,
      kernelSize: 2,
      seed: 1,
    };
    const model = buildSentimentModel({ ...o, backend });
    assert.equal(sentimentParamCount(o), model.countParams(), architecture);
  }
  assert.equal(sentimentParamCount(VALID as never), 1_329_473, 'the reference experiment');
});
