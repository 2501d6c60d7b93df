// Repeated 403s are aggregated instead of each writing an audit event (issue 14, info
// finding: a low-privilege member could add hundreds of chained events a minute).
//
// Per member, permission and route, time is cut into fixed windows. The first denial of a
// window is written at once as `access.denied` (so a single probe is never lost); later
// ones only bump a counter row (access_denials, one cheap upsert, no chain lock). When the
// window has closed, one `access.denied_repeated` event records how many there were. So a
// flood costs at most two chained events per member, permission, route and window.
// Summaries are written by the next denial that opens a window in the same org and by
// the worker's audit-checkpoint run (worker/processors/audit-checkpoint.ts) before it
// signs the org's tip, so a quiet tail is summarised too.
import type { AuditLog } from '../../core/audit.js';
import type { TenantDb } from '../../core/db.js';
import type { Role } from '../../core/permissions.js';
import { countDenial, takeClosedDenials } from './repo.js';

export const DENIAL_WINDOW_MS = 5 * 60_000;

export interface Denial {
  orgId: string;
  userId: string;
  role: Role;
  permission: string;
  method: string;
  /** The route pattern (e.g. /api/v1/members/:userId), never the raw URL. */
  route: string;
  requestId: string;
}

export interface DenialDeps {
  db: TenantDb;
  audit: AuditLog;
  clock?: () => Date;
  windowMs?: number;
}

function windowOf(at: Date, windowMs: number): Date {
  return new Date(Math.floor(at.getTime() / windowMs) * windowMs);
}

/** Writes the summary of every closed window of the org; returns how many summaries were written. */
export async function summariseClosedDenials(deps: DenialDeps, orgId: string): Promise<number> {
  const windowMs = deps.windowMs ?? DENIAL_WINDOW_MS;
  const now = (deps.clock ?? (() => new Date()))();
  // A window starting at or before now - windowMs has ended.
  const closedBefore = new Date(windowOf(now, windowMs).getTime() - windowMs);
  return deps.db.withTenantTx(orgId, async (tx) => {
    let written = 0;
    for (const w of await takeClosedDenials(tx, closedBefore)) {
      if (w.denied < 2) continue; // the first denial is already its own event
      const [method = '', route = w.route] = w.route.split(' ', 2);
      await deps.audit.recordIn(tx, orgId, {
        action: 'access.denied_repeated',
        actor: { type: 'user', id: w.userId },
        metadata: {
          permission: w.permission,
          method,
          route,
          windowStart: w.windowStart.toISOString(),
          windowEnd: new Date(w.windowStart.getTime() + windowMs).toISOString(),
          denied: w.denied,
          notRecordedSeparately: w.denied - 1,
          firstAt: w.firstAt.toISOString(),
          lastAt: w.lastAt.toISOString(),
        },
      });
      written += 1;
    }
    return written;
  });
}

export function createDenialRecorder(deps: DenialDeps) {
  const clock = deps.clock ?? (() => new Date());
  const windowMs = deps.windowMs ?? DENIAL_WINDOW_MS;
  return {
    async record(d: Denial): Promise<void> {
      const at = clock();
      const windowStart = windowOf(at, windowMs);
      const first = await deps.db.withTenantTx(d.orgId, async (tx) => {
        const denied = await countDenial(tx, { orgId: d.orgId, userId: d.userId, permission: d.permission, route: `${d.method} ${d.route}`, windowStart }, at);
        if (denied !== 1) return false;
        await deps.audit.recordIn(tx, d.orgId, {
          action: 'access.denied',
          actor: { type: 'user', id: d.userId },
          metadata: { permission: d.permission, role: d.role, method: d.method, route: d.route, windowStart: windowStart.toISOString() },
          requestId: d.requestId,
        });
        return true;
      });
      // A new window opened: earlier windows of this org that have ended get their summaries now.
      if (first) await summariseClosedDenials(deps, d.orgId);
    },
  };
}

export type DenialRecorder = ReturnType<typeof createDenialRecorder>;
