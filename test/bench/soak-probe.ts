// Preloaded into the app and worker processes by `npm run soak` (NODE_OPTIONS=--import):
// every SOAK_PROBE_INTERVAL_MS it appends one JSON line to SOAK_PROBE_DIR/<role>-<pid>.jsonl
// with the event-loop delay percentiles of the interval (then resets them), RSS, the V8 heap
// (used and committed) and memory outside it (external, of which arrayBuffers), so a reader
// can tell native growth (RSS rising alone) from a JS leak (heapUsed rising with it).
// Measures from outside the code under test; nothing in server/ or worker/ knows about it.
import { appendFileSync } from 'node:fs';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { getHeapSpaceStatistics } from 'node:v8';
import { isMainThread } from 'node:worker_threads';

const dir = process.env.SOAK_PROBE_DIR;
// NODE_OPTIONS reaches worker threads too (the worker's CV extraction pool): only the main
// thread samples, or the extraction threads' small heaps land in the same file.
if (dir && isMainThread) {
  const role = process.argv[1]?.includes('worker') ? 'worker' : 'app';
  const file = path.join(dir, `${role}-${process.pid}.jsonl`);
  const histogram = monitorEventLoopDelay({ resolution: 10 });
  histogram.enable();
  const timer = setInterval(() => {
    const mem = process.memoryUsage();
    // heapTotal split: the young generation grows and shrinks with survival rates, the old
    // one keeps free pages until V8's memory reducer gives them back.
    const spaces = Object.fromEntries(getHeapSpaceStatistics().map((s) => [s.space_name, s.space_size]));
    const line = {
      t: Date.now(),
      p50: histogram.percentile(50) / 1e6,
      p99: histogram.percentile(99) / 1e6,
      max: histogram.max / 1e6,
      rss: mem.rss,
      heapUsed: mem.heapUsed,
      heapTotal: mem.heapTotal,
      external: mem.external,
      arrayBuffers: mem.arrayBuffers,
      newSpace: (spaces.new_space ?? 0) + (spaces.new_large_object_space ?? 0),
      oldSpace: spaces.old_space ?? 0,
    };
    histogram.reset();
    appendFileSync(file, `${JSON.stringify(line)}\n`);
  }, Number(process.env.SOAK_PROBE_INTERVAL_MS ?? 5000));
  timer.unref();
}
