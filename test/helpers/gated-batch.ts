/**
 * Runs many `gated` command lines in one process, for tests with more cases than process
 * start-ups they can afford: each through runGated, the same code as the CLI's main, with its
 * own working directory, HOME and cache. Forked with an IPC channel: it receives
 * `{ cases: BatchCase[] }`, reports `{ start: i }` before each case (so the parent's watchdog
 * knows which one hangs) and `{ done: i, code, stderr, cpuMs }` after it (the CPU time the case
 * used), then `{ rssKb }`, the peak RSS of the whole batch.
 */
import { runGated } from '../../src/cli/program.js';

export interface BatchCase {
  args: string[];
  cwd: string;
  env: Record<string, string>;
}

export interface BatchResult {
  code: number;
  stderr: string;
  /** CPU time (user + system) the case used, in ms: a loaded machine does not stretch it. */
  cpuMs: number;
}

async function runCase(c: BatchCase): Promise<BatchResult> {
  process.chdir(c.cwd);
  Object.assign(process.env, c.env);
  let stderr = '';
  const write = process.stderr.write.bind(process.stderr);
  process.stderr.write = ((chunk: string | Uint8Array) => {
    stderr += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    return true;
  }) as typeof process.stderr.write;
  const started = process.cpuUsage();
  try {
    const code = await runGated([process.execPath, 'gated', ...c.args]);
    const { user, system } = process.cpuUsage(started);
    return { code, stderr, cpuMs: (user + system) / 1000 };
  } finally {
    process.stderr.write = write;
  }
}

process.once('message', async (message: { cases: BatchCase[] }) => {
  for (const [i, c] of message.cases.entries()) {
    process.send!({ start: i });
    process.send!({ done: i, ...(await runCase(c)) });
  }
  process.send!({ rssKb: process.resourceUsage().maxRSS }, () => process.disconnect());
});
