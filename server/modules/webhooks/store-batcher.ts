// Group commit for webhook messages. Concurrent webhooks are coalesced into one call of
// webhook_store_messages (one round trip, one statement, one commit for the batch)
// instead of one transaction each: under load most of the cost of a single-row store is
// the round trip and the commit, not the row. There is no timer: a batch goes out as soon
// as a flush slot is free, so a lone request waits for nobody, and requests that arrive
// while `maxInFlight` batches are on the wire ride together in the next one. Every
// caller is answered only after its batch committed.
//
// A failing batch (e.g. one row breaking a constraint) is retried row by row, so one bad
// message cannot fail its neighbours.
import type { Queryable } from '../../core/db.js';
import { storeMessages, type NewMessage, type StoreOutcome } from './repo.js';

interface Pending {
  message: NewMessage;
  resolve(outcome: StoreOutcome): void;
  reject(err: unknown): void;
}

export interface StoreBatcher {
  store(message: NewMessage): Promise<StoreOutcome>;
}

export function createStoreBatcher(q: Queryable, options: { maxInFlight?: number; maxBatch?: number } = {}): StoreBatcher {
  const maxInFlight = options.maxInFlight ?? 1;
  const maxBatch = options.maxBatch ?? 200;
  let pending: Pending[] = [];
  let inFlight = 0;

  async function settle(batch: Pending[]): Promise<void> {
    try {
      const outcomes = await storeMessages(
        q,
        batch.map((p) => p.message),
      );
      for (const p of batch) p.resolve(outcomes.get(p.message.id) ?? 'not_live');
    } catch (err) {
      if (batch.length === 1) {
        batch[0]?.reject(err);
        return;
      }
      for (const p of batch) {
        try {
          const one = await storeMessages(q, [p.message]);
          p.resolve(one.get(p.message.id) ?? 'not_live');
        } catch (rowErr) {
          p.reject(rowErr);
        }
      }
    }
  }

  function pump(): void {
    while (inFlight < maxInFlight && pending.length > 0) {
      const batch = pending.length <= maxBatch ? pending : pending.slice(0, maxBatch);
      pending = pending.length <= maxBatch ? [] : pending.slice(maxBatch);
      inFlight += 1;
      void settle(batch).finally(() => {
        inFlight -= 1;
        pump();
      });
    }
  }

  return {
    store(message) {
      return new Promise<StoreOutcome>((resolve, reject) => {
        pending.push({ message, resolve, reject });
        pump();
      });
    },
  };
}
