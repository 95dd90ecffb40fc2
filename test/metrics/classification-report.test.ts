import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  classificationReport,
  formatClassificationReport,
} from '../../src/metrics/classification-report.js';

function close(actual: number, expected: number): void {
  assert.ok(Math.abs(actual - expected) < 1e-12, `${actual} vs ${expected}`);
}

test('the numbers of scikit-learn classification_report on a small case, by hand', () => {
  // y_true = [0, 0, 0, 1, 1, 2], y_pred = [0, 1, 0, 1, 2, 2]
  const truth = [0, 0, 0, 1, 1, 2];
  const predicted = [0, 1, 0, 1, 2, 2];
  const r = classificationReport(
    truth.map((t, i) => ({ truth: [t], predicted: [predicted[i]] })),
    ['a', 'b', 'c'],
  );
  // a: tp 2, predicted 2, support 3 -> P 1, R 2/3, F1 0.8
  // b: tp 1, predicted 2, support 2 -> P 0.5, R 0.5, F1 0.5
  // c: tp 1, predicted 2, support 1 -> P 0.5, R 1, F1 2/3
  const want = [
    [1, 2 / 3, 0.8, 3],
    [0.5, 0.5, 0.5, 2],
    [0.5, 1, 2 / 3, 1],
  ];
  r.perClass.forEach((m, c) => {
    close(m.precision, want[c][0]);
    close(m.recall, want[c][1]);
    close(m.f1, want[c][2]);
    assert.equal(m.support, want[c][3]);
  });
  close(r.accuracy, 4 / 6);
  close(r.macroAvg.precision, 2 / 3);
  close(r.macroAvg.recall, (2 / 3 + 0.5 + 1) / 3);
  close(r.macroAvg.f1, (0.8 + 0.5 + 2 / 3) / 3);
  close(r.weightedAvg.precision, (3 * 1 + 2 * 0.5 + 0.5) / 6);
  close(r.weightedAvg.recall, (3 * (2 / 3) + 2 * 0.5 + 1) / 6);
  close(r.weightedAvg.f1, (3 * 0.8 + 2 * 0.5 + 2 / 3) / 6);
  assert.deepEqual(r.confusion, [
    [2, 1, 0],
    [0, 1, 1],
    [0, 0, 1],
  ]);
  const text = formatClassificationReport(r);
  assert.match(text, /^ +a +1\.0000 +0\.6667 +0\.8000 +3$/m);
  assert.match(text, /^ +accuracy +0\.6667 +6$/m);
});

test('a class never predicted has precision 0 (zero_division=0); multi-label counts per label', () => {
  const r = classificationReport(
    [
      { truth: [0], predicted: [0] },
      { truth: [1], predicted: [0] },
    ],
    ['x', 'y'],
  );
  assert.equal(r.perClass[1].precision, 0);
  assert.equal(r.perClass[1].f1, 0);
  const m = classificationReport(
    [
      { truth: [0, 1], predicted: [0] },
      { truth: [], predicted: [1] },
    ],
    ['p', 'q'],
    true,
  );
  assert.equal(m.confusion, null);
  assert.deepEqual(
    m.perClass.map((c) => [c.precision, c.recall, c.support]),
    [
      [1, 1, 1],
      [0, 0, 1],
    ],
  );
  assert.equal(m.accuracy, 0);
});
