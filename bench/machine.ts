import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';

export interface MachineInfo {
  cpuModel: string;
  cores: number;
  /** The SIMD levels a native backend may choose between. */
  simd: string[];
  memoryGiB: number;
  node: string;
  platform: string;
  gitCommit: string | null;
}

function cpuInfo(): { model: string; flags: Set<string> } {
  try {
    const text = readFileSync('/proc/cpuinfo', 'utf8');
    const field = (name: string) => new RegExp(`^${name}\\s*:\\s*(.*)$`, 'm').exec(text)?.[1];
    return {
      model: field('model name') ?? os.cpus()[0]?.model ?? 'unknown',
      flags: new Set((field('flags') ?? '').split(' ')),
    };
  } catch {
    return { model: os.cpus()[0]?.model ?? 'unknown', flags: new Set() };
  }
}

function gitCommit(): string | null {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
  } catch {
    return null;
  }
}

export function machineInfo(): MachineInfo {
  const { model, flags } = cpuInfo();
  return {
    cpuModel: model,
    cores: os.availableParallelism(),
    simd: ['avx512f', 'avx2', 'fma'].filter((f) => flags.has(f)),
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    platform: `${os.platform()} ${os.release()}`,
    gitCommit: gitCommit(),
  };
}

/** Busy and steal CPU seconds of the whole machine so far (all cores), from /proc/stat. */
export interface CpuTimes {
  readonly wall: number;
  readonly busy: number;
  readonly steal: number;
}

/** USER_HZ: /proc/stat counts in 1/100 s on Linux. */
const HZ = 100;

export function cpuTimes(): CpuTimes {
  const wall = performance.now() / 1000;
  try {
    const fields = readFileSync('/proc/stat', 'utf8')
      .split('\n')[0]
      .trim()
      .split(/\s+/)
      .slice(1)
      .map(Number);
    const [user, nice, system, , , irq, softirq, steal] = fields;
    return { wall, busy: (user + nice + system + irq + softirq) / HZ, steal: steal / HZ };
  } catch {
    return { wall, busy: NaN, steal: NaN };
  }
}

/**
 * How many cores other work kept busy between two readings: (machine busy time − our own CPU
 * time) / wall time. On a shared VM this is the contention `top` does not show; steal is time
 * the hypervisor gave to other guests.
 */
export function contention(start: CpuTimes, end: CpuTimes, ownCpuSeconds: number) {
  const wall = end.wall - start.wall;
  return {
    seconds: round(wall, 1),
    otherCores: round(Math.max(0, end.busy - start.busy - ownCpuSeconds) / wall, 2),
    stealCores: round((end.steal - start.steal) / wall, 2),
  };
}

export function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

export function loadAverage(): number[] {
  return os.loadavg().map((x) => round(x, 2));
}
