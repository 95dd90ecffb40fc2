import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { runJsonProcess, type Measured } from './measure.js';
import type { PeerRun } from './peer.js';
import { peerPlans } from './plans.js';

/** Debian's python3-torch imports only in Debian's own interpreter, not a pyenv/venv python3. */
const PYTHON = process.env.GATED_BENCH_PYTHON ?? '/usr/bin/python3';
const SCRIPT = fileURLToPath(new URL('../../bench/pytorch_lstm.py', import.meta.url));

export const TORCH_INSTALL_HINT =
  'apt-get update && apt-get install -y python3-torch libopenblas0  ' +
  '(Debian packages: used through /usr/bin/python3; set GATED_BENCH_PYTHON for another interpreter)';

export interface TorchRun extends PeerRun {
  torch: string;
  blas: string[];
}

/** The torch version importable by PYTHON, or null. */
export function torchVersion(): string | null {
  const probe = spawnSync(PYTHON, ['-c', 'import torch; print(torch.__version__)'], {
    encoding: 'utf8',
    timeout: 120_000,
  });
  return probe.status === 0 ? probe.stdout.trim() : null;
}

export function runTorch(threads: number, quick: boolean): Promise<Measured<TorchRun>> {
  const args = [SCRIPT, '--threads', String(threads), '--plans', peerPlans(quick)];
  const env = {
    ...process.env,
    OMP_NUM_THREADS: String(threads),
    OPENBLAS_NUM_THREADS: String(threads),
  };
  return runJsonProcess<TorchRun>(PYTHON, args, env);
}
