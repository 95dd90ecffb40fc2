/**
 * scikit-learn's `classification_report` and `confusion_matrix` on class ids: per-class
 * precision, recall, F1 and support, accuracy, and the macro (unweighted mean over classes) and
 * weighted (by support) averages. A class never predicted has precision 0, one never true has
 * recall 0 (scikit-learn's zero_division default, with its warning left out). Multi-label rows
 * (several true and predicted ids) count per label, as scikit-learn does for indicator matrices;
 * accuracy is then the share of rows whose predicted set is exactly the true set.
 */
export interface ClassMetrics {
  precision: number;
  recall: number;
  f1: number;
  support: number;
}

export interface ClassificationReport {
  classNames: string[];
  perClass: ClassMetrics[];
  accuracy: number;
  macroAvg: ClassMetrics;
  weightedAvg: ClassMetrics;
  /** confusion[t][p]: rows with true class t predicted as p (single-label tasks only). */
  confusion: number[][] | null;
}

/** One row's true and predicted class ids (one each unless multi-label). */
export interface LabelledPrediction {
  truth: readonly number[];
  predicted: readonly number[];
}

export function classificationReport(
  rows: readonly LabelledPrediction[],
  classNames: readonly string[],
  multiLabel = false,
): ClassificationReport {
  const k = classNames.length;
  const truePositive = new Array<number>(k).fill(0);
  const predictedCount = new Array<number>(k).fill(0);
  const support = new Array<number>(k).fill(0);
  const confusion = multiLabel ? null : classNames.map(() => new Array<number>(k).fill(0));
  let exact = 0;
  for (const { truth, predicted } of rows) {
    for (const t of truth) support[t]++;
    for (const p of predicted) {
      predictedCount[p]++;
      if (truth.includes(p)) truePositive[p]++;
    }
    if (confusion) confusion[truth[0]][predicted[0]]++;
    if (truth.length === predicted.length && truth.every((t) => predicted.includes(t))) exact++;
  }
  const ratio = (a: number, b: number): number => (b === 0 ? 0 : a / b);
  const perClass = classNames.map((_, c) => {
    const precision = ratio(truePositive[c], predictedCount[c]);
    const recall = ratio(truePositive[c], support[c]);
    const f1 = ratio(2 * precision * recall, precision + recall);
    return { precision, recall, f1, support: support[c] };
  });
  const total = support.reduce((a, b) => a + b, 0);
  const average = (weight: (m: ClassMetrics) => number, sum: number): ClassMetrics => ({
    precision: perClass.reduce((a, m) => a + weight(m) * m.precision, 0) / sum,
    recall: perClass.reduce((a, m) => a + weight(m) * m.recall, 0) / sum,
    f1: perClass.reduce((a, m) => a + weight(m) * m.f1, 0) / sum,
    support: total,
  });
  return {
    classNames: [...classNames],
    perClass,
    accuracy: ratio(exact, rows.length),
    macroAvg: average(() => 1, k),
    weightedAvg: average((m) => m.support, total),
    confusion,
  };
}

/** The report as scikit-learn prints it, then the confusion matrix (rows true, columns predicted). */
export function formatClassificationReport(r: ClassificationReport): string {
  const width = Math.max(12, ...r.classNames.map((n) => n.length));
  const num = (x: number): string => x.toFixed(4).padStart(10);
  const line = (name: string, m: ClassMetrics): string =>
    `${name.padStart(width)}${num(m.precision)}${num(m.recall)}${num(m.f1)}${String(m.support).padStart(10)}`;
  const out = [
    `${''.padStart(width)}${'precision'.padStart(10)}${'recall'.padStart(10)}${'f1-score'.padStart(10)}${'support'.padStart(10)}`,
    '',
    ...r.classNames.map((name, c) => line(name, r.perClass[c])),
    '',
    `${'accuracy'.padStart(width)}${''.padStart(20)}${num(r.accuracy)}${String(r.macroAvg.support).padStart(10)}`,
    line('macro avg', r.macroAvg),
    line('weighted avg', r.weightedAvg),
  ];
  if (r.confusion) {
    const cell = Math.max(
      6,
      ...r.classNames.map((n) => n.length + 1),
      ...r.confusion.flat().map((v) => String(v).length + 1),
    );
    out.push('', 'Confusion matrix (rows: true class, columns: predicted):');
    out.push(`${''.padStart(width)}${r.classNames.map((n) => n.padStart(cell)).join('')}`);
    r.confusion.forEach((row, t) =>
      out.push(
        `${r.classNames[t].padStart(width)}${row.map((v) => String(v).padStart(cell)).join('')}`,
      ),
    );
  }
  return out.join('\n');
}
