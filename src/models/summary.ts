import { shapeToString } from '../tensor/tensor.js';

export interface SummaryRow {
  readonly name: string;
  readonly className: string;
  /** Output shape without the batch axis, or null while unknown. */
  readonly outputShape: readonly number[] | null;
  readonly params: number;
  /** Of params, the values training leaves alone (non-trainable). */
  readonly fixed?: number;
}

function formatBytes(bytes: number): string {
  const units = ['B', 'KB', 'MB', 'GB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(2)} ${units[unit]}`;
}

/** The Keras 3 summary table, with the batch axis shown as None and float32 sizes. */
export function renderSummary(
  modelName: string,
  rows: readonly SummaryRow[],
  bytesPerParam: number,
): string {
  const header = ['Layer (type)', 'Output Shape', 'Param #'];
  const cells = rows.map((r) => [
    `${r.name} (${r.className})`,
    r.outputShape === null ? '?' : shapeToString([null, ...r.outputShape]),
    r.params.toLocaleString('en-US'),
  ]);
  const widths = [31, 22, 13].map((w, i) =>
    Math.max(w, header[i].length, ...cells.map((c) => c[i].length)),
  );
  const line = (l: string, m: string, r: string, fill: string): string =>
    l + widths.map((w) => fill.repeat(w + 2)).join(m) + r;
  const row = (c: string[], edge: string): string =>
    edge +
    c.map((v, i) => ` ${i === 2 ? v.padStart(widths[i]) : v.padEnd(widths[i])} `).join(edge) +
    edge;
  const out = [
    `Model: "${modelName}"`,
    line('┏', '┳', '┓', '━'),
    row(header, '┃'),
    line('┡', '╇', '┩', '━'),
  ];
  cells.forEach((c, i) => {
    out.push(row(c, '│'));
    out.push(i < cells.length - 1 ? line('├', '┼', '┤', '─') : line('└', '┴', '┘', '─'));
  });
  const total = rows.reduce((n, r) => n + r.params, 0);
  const count = (n: number): string =>
    `${n.toLocaleString('en-US')} (${formatBytes(n * bytesPerParam)})`;
  const fixed = rows.reduce((n, r) => n + (r.fixed ?? 0), 0);
  out.push(` Total params: ${count(total)}`);
  out.push(` Trainable params: ${count(total - fixed)}`);
  out.push(` Non-trainable params: ${count(fixed)}`);
  return out.join('\n');
}
