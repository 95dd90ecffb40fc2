/* global process, console */
// npm run test:soak -- --runs N --load L: runs the test suite N times in a row while L busy
// processes load the CPU (started and stopped here), then prints pass/fail per run, the wall
// times and the slowest files. Logs of every run go to .cache/soak/.
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: { runs: { type: 'string', default: '10' }, load: { type: 'string', default: '2' } },
});
const count = (name, text, min) => {
  const n = Number(text);
  if (!Number.isInteger(n) || n < min) {
    console.error(`test:soak: --${name} must be an integer ≥ ${min} (got ${text})`);
    process.exit(1);
  }
  return n;
};
const runs = count('runs', values.runs, 1);
const load = count('load', values.load, 0);
const logs = join('.cache', 'soak');
mkdirSync(logs, { recursive: true });

const busy = Array.from({ length: load }, () =>
  spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' }),
);
const stopLoad = () => busy.forEach((p) => p.kill('SIGKILL'));
process.on('exit', stopLoad);
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => process.exit(130));

const minutes = (ms) => `${Math.floor(ms / 60000)}m ${Math.round((ms % 60000) / 1000)}s`;

function runSuite(index) {
  const times = join(logs, `run-${index}.jsonl`);
  const spec = join(logs, `run-${index}.log`);
  const reporters = [
    ...['--test-reporter=spec', `--test-reporter-destination=${spec}`],
    ...[
      '--test-reporter=./scripts/test-times-reporter.mjs',
      `--test-reporter-destination=${times}`,
    ],
  ];
  const start = Date.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['scripts/run-tests.mjs', ...reporters], {
      stdio: 'inherit',
    });
    child.on('close', (code) => {
      const lines = readFileSync(times, 'utf8').split('\n').filter(Boolean);
      resolve({ code, ms: Date.now() - start, results: lines.map((l) => JSON.parse(l)) });
    });
  });
}

const perFile = new Map();
let passed = 0;
const walls = [];
console.log(`test:soak: ${runs} run(s) of the suite under ${load} busy process(es)`);
for (let i = 1; i <= runs; i++) {
  const { code, ms, results } = await runSuite(i);
  walls.push(ms);
  const failed = results.filter((r) => !r.ok);
  const ok = code === 0 && failed.length === 0;
  if (ok) passed++;
  const fileMs = new Map();
  for (const r of results) fileMs.set(r.file, (fileMs.get(r.file) ?? 0) + r.ms);
  for (const [file, t] of fileMs) perFile.set(file, Math.max(perFile.get(file) ?? 0, t));
  console.log(
    `run ${i}/${runs}: ${ok ? 'pass' : 'FAIL'} (${results.length} top-level tests, ${failed.length} failed, exit ${code}) in ${minutes(ms)}`,
  );
  for (const r of failed) console.log(`  failed: ${r.file}: ${r.name}: ${r.error}`);
}
// The busy children keep the event loop alive: stop them here, not only on exit.
stopLoad();
walls.sort((a, b) => a - b);
console.log(
  `\n${passed} of ${runs} passed; wall time per run min ${minutes(walls[0])}, median ${minutes(walls[walls.length >> 1])}, max ${minutes(walls[walls.length - 1])}`,
);
console.log('slowest files (longest run):');
for (const [file, t] of [...perFile].sort((a, b) => b[1] - a[1]).slice(0, 8)) {
  console.log(`  ${(t / 1000).toFixed(1).padStart(6)} s  ${file}`);
}
process.exitCode = passed === runs ? 0 : 1;
