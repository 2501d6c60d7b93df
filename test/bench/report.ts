// The bench's results: every figure with its unit, and for the targets (issue 19) the
// target and pass/fail; printed as one table at the end, written as JSON
// (bench-results/<timestamp>.json, gitignored) and compared with a saved run
// (`npm run bench -- --compare FILE`).
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface Target {
  op: '>=' | '<=';
  value: number;
}

export interface Metric {
  /** Stable key (compared across runs). */
  id: string;
  label: string;
  value: number;
  unit: string;
  target?: Target;
  /** How the value was obtained (e.g. "median of 5 runs: 0.91 0.88 ..."). */
  detail?: string;
}

export interface BenchRun {
  startedAt: string;
  finishedAt: string;
  commit: string | null;
  sections: string[];
  secondsPerScenario: number;
  runs: number;
  machine: { cpus: number; cpuModel: string; memoryGb: number; loadAverageAtStart: number[]; loadAverageAtEnd: number[]; node: string; platform: string };
  metrics: (Metric & { pass: boolean | null })[];
}

export const passes = (m: Metric): boolean | null => (m.target ? (m.target.op === '>=' ? m.value >= m.target.value : m.value <= m.target.value) : null);

export function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

const fmt = (value: number, unit: string): string => {
  const digits = unit === 'x' ? 2 : Math.abs(value) >= 100 ? 0 : 1;
  return `${value.toFixed(digits)}${unit === 'x' ? 'x' : ` ${unit}`}`;
};
const targetText = (t?: Target, unit = ''): string => (t ? `${t.op} ${fmt(t.value, unit)}` : '');
const verdict = (p: boolean | null): string => (p === null ? '' : p ? 'pass' : 'FAIL');

function gitCommit(): string | null {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return null;
  }
}

export function createReport(options: { sections: string[]; secondsPerScenario: number; runs: number }) {
  const metrics: Metric[] = [];
  const startedAt = new Date().toISOString();
  const loadAtStart = os.loadavg();
  return {
    add(metric: Metric): void {
      metrics.push(metric);
    },
    /** The summary table (markdown, so the README can show it as is). */
    table(): string {
      const rows = metrics.map((m) => [m.label, fmt(m.value, m.unit), targetText(m.target, m.unit), verdict(passes(m))]);
      const head = ['metric', 'value', 'target', 'result'];
      const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
      const line = (cells: string[]): string => `| ${cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join(' | ')} |`;
      return [line(head), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.map(line)].join('\n');
    },
    finish(): BenchRun {
      const cpus = os.cpus();
      return {
        startedAt,
        finishedAt: new Date().toISOString(),
        commit: gitCommit(),
        sections: options.sections,
        secondsPerScenario: options.secondsPerScenario,
        runs: options.runs,
        machine: {
          cpus: cpus.length,
          cpuModel: cpus[0]?.model ?? 'unknown',
          memoryGb: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
          loadAverageAtStart: loadAtStart.map((x) => Math.round(x * 100) / 100),
          loadAverageAtEnd: os.loadavg().map((x) => Math.round(x * 100) / 100),
          node: process.version,
          platform: `${os.platform()} ${os.release()}`,
        },
        metrics: metrics.map((m) => ({ ...m, pass: passes(m) })),
      };
    },
  };
}

/** Writes the run to dir/<timestamp>.json and returns the path. */
export function saveRun(run: BenchRun, dir: string): string {
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${run.startedAt.replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, `${JSON.stringify(run, null, 2)}\n`);
  return file;
}

export function loadRun(file: string): BenchRun {
  const run = JSON.parse(readFileSync(file, 'utf8')) as Partial<BenchRun>;
  if (!Array.isArray(run.metrics)) throw new Error(`${file} is not a bench result (no metrics)`);
  return run as BenchRun;
}

/** The change of every metric of `now` against `before` (metrics only in one run are listed too). */
export function compareRuns(before: BenchRun, now: BenchRun): string {
  const old = new Map(before.metrics.map((m) => [m.id, m]));
  const head = ['metric', 'before', 'now', 'change', 'target', 'result'];
  const rows: string[][] = [];
  for (const m of now.metrics) {
    const b = old.get(m.id);
    old.delete(m.id);
    const change = b && b.value !== 0 ? `${m.value >= b.value ? '+' : ''}${(((m.value - b.value) / Math.abs(b.value)) * 100).toFixed(0)}%` : '';
    rows.push([m.label, b ? fmt(b.value, b.unit) : '(new)', fmt(m.value, m.unit), change, targetText(m.target, m.unit), `${verdict(b ? passes(b) : null) || '-'} -> ${verdict(m.pass) || '-'}`]);
  }
  for (const b of old.values()) rows.push([b.label, fmt(b.value, b.unit), '(not run)', '', targetText(b.target, b.unit), '']);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]): string => `| ${cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join(' | ')} |`;
  const when = (r: BenchRun): string => `${r.startedAt} (${r.commit ?? 'no commit'}, ${r.machine.cpus} cores, load ${r.machine.loadAverageAtStart.join('/')})`;
  return [`before: ${when(before)}`, `now:    ${when(now)}`, line(head), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.map(line)].join('\n');
}
