// A bulkhead: at most `concurrency` of one kind of work run at once in this process; up to
// `maxWaiting` more wait in memory, and beyond that the caller gets 503 at once. Anonymous
// work that holds a database connection for a whole transaction (a public application:
// blob, rows, the org's audit chain) goes through one, so a burst of it cannot take every
// connection of the pool: ten applications accepted together serialised on the org's audit
// chain while holding ten of the pool's ten connections, and signed-in members' requests
// queued behind them (issue 19, `npm run test:floods`).
import pLimit from 'p-limit';
import { ServiceUnavailableError, type ProblemOptions } from './errors.js';

export interface Bulkhead {
  /** Runs `work` when a place is free; throws the 503 at once when too many already wait. */
  run<T>(work: () => Promise<T>): Promise<T>;
}

export function createBulkhead(o: { concurrency: number; maxWaiting: number; busy: ProblemOptions }): Bulkhead {
  const limit = pLimit(o.concurrency);
  return {
    run(work) {
      if (limit.pendingCount >= o.maxWaiting) return Promise.reject(new ServiceUnavailableError(o.busy));
      return limit(work);
    },
  };
}
