import { writeFileAtomic } from '../../io/atomic.js';
import type { Callback } from '../callbacks.js';
import { requireModel } from './monitor.js';
import type { Sequential } from '../sequential.js';

export interface CSVLoggerOptions {
  /** Default ','. */
  separator?: string;
}

/**
 * Keras's CSVLogger: one row per epoch, columns `epoch` (from 0, as Keras) then the log keys
 * sorted. The file is rewritten whole (atomically) from the model's history at every epoch end,
 * so a resumed run continues the same file without a duplicated or torn row.
 */
export class CSVLogger implements Callback {
  private model: Sequential | null = null;
  private readonly separator: string;

  constructor(
    readonly filename: string,
    options: CSVLoggerOptions = {},
  ) {
    if (typeof filename !== 'string' || filename === '')
      throw new Error('CSVLogger: filename must be a non-empty string');
    this.separator = options.separator ?? ',';
  }

  setModel(model: Sequential): void {
    this.model = model;
  }

  async onEpochEnd(): Promise<void> {
    const epochs = requireModel('CSVLogger', this.model).history.epochs;
    const keys = [...new Set(epochs.flatMap((e) => Object.keys(e)))]
      .filter((k) => k !== 'epoch' && k !== 'seconds')
      .sort();
    const row = (fields: readonly (string | number)[]): string =>
      fields.map((f) => this.quote(String(f))).join(this.separator);
    const rows = [row(['epoch', ...keys])];
    for (const e of epochs) rows.push(row([e.epoch - 1, ...keys.map((k) => e[k] ?? '')]));
    await writeFileAtomic(this.filename, rows.join('\n') + '\n');
  }

  /** RFC 4180: a field holding the separator, a quote or a line break is quoted, quotes doubled. */
  private quote(field: string): string {
    return field.includes(this.separator) || /["\r\n]/.test(field)
      ? `"${field.replace(/"/g, '""')}"`
      : field;
  }
}
