// Timing-oracle checks (no account enumeration by response time): two kinds of request are
// measured in interleaved pairs, alternating which goes first, so a burst of load from a
// parallel test file lands on both sides alike (30 fixed-order pairs once measured 21% apart
// from noise alone), and their medians must be within 20% of each other.
import type { Test } from 'tap';

export const TIMING_PAIRS = 60;
export const TIMING_LIMIT = 0.2;

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] as number;
}

/** Milliseconds taken by `work`. */
export async function timed(work: () => Promise<unknown>): Promise<number> {
  const started = process.hrtime.bigint();
  await work();
  return Number(process.hrtime.bigint() - started) / 1e6;
}

/**
 * Runs `pairs` interleaved pairs of `measure('a', i)` and `measure('b', i)` (each returns the
 * milliseconds of one request), then asserts the two medians differ by less than 20%.
 */
export async function assertSameTiming(
  t: Test,
  labels: { a: string; b: string },
  measure: (side: 'a' | 'b', pair: number) => Promise<number>,
  pairs = TIMING_PAIRS,
): Promise<void> {
  const a: number[] = [];
  const b: number[] = [];
  for (let i = 0; i < pairs; i++) {
    if (i % 2 === 0) {
      a.push(await measure('a', i));
      b.push(await measure('b', i));
    } else {
      b.push(await measure('b', i));
      a.push(await measure('a', i));
    }
  }
  const ma = median(a);
  const mb = median(b);
  const diff = Math.abs(ma - mb) / Math.min(ma, mb);
  t.comment(`median ${labels.a} ${ma.toFixed(1)} ms, ${labels.b} ${mb.toFixed(1)} ms, difference ${(diff * 100).toFixed(1)}%`);
  t.ok(diff < TIMING_LIMIT, `difference ${(diff * 100).toFixed(1)}% < ${TIMING_LIMIT * 100}%`);
}
