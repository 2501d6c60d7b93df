// Retention (DESIGN section 9): each org keeps candidate data for a number of days after
// the final decision (default 180). A daily sweep erases candidates whose every
// application is closed (hired, rejected, withdrawn) for longer than that: the candidate
// key is destroyed, CV files are deleted, ciphertext rows dropped, linkable indexes
// replaced, and what reports need stays as non-identifying rows. Each erasure is audited and
// written to the erasure ledger (which a database restore re-applies; see erase.ts), and
// each run leaves a summary.
import { expireResubmissionsIn } from '../resubmissions/index.js';
import type { Logger } from 'pino';
import type { AuditLog } from '../../core/audit.js';
import type { Keyring } from '../../core/crypto.js';
import type { GlobalDb, TenantDb } from '../../core/db.js';
import type { ErasureLedger } from '../../core/erasure-ledger.js';
import type { BlobStore } from '../../core/storage.js';
import type { Ctx } from '../../core/context.js';
import { currentNoticeIn } from '../notices/index.js';
import { createCandidateEraser, retryOnDeadlock } from './erase.js';
import { enqueueDeletions, type VapiDeletionProducer } from '../interviews/index.js';
import { countDue, DEFAULT_RETENTION_DAYS, dueCandidates, getRetention, listSweptOrgIds, lockIfStillDue, upsertRetention } from './repo.js';

const DAY_MS = 24 * 3600 * 1000;
const BATCH = 100;

export interface SweepOptions {
  dryRun?: boolean;
  /** Upper bound of erasures per org and run (the next run continues). */
  max?: number;
}

export interface OrgSweepResult {
  orgId: string;
  days: number;
  cutoff: string;
  dryRun: boolean;
  /** Candidates erased (or, in a dry run, that would be). */
  candidates: { candidateId: string; applications: number; lastDecisionAt: string }[];
  erased: number;
}

// GlobalDb: the sweep lists every org with retention due, across tenants.
export function createRetentionService(deps: { db: TenantDb & GlobalDb; audit: AuditLog; keyring: Keyring; blobs: BlobStore; ledger: ErasureLedger; clock: () => Date; logger: Logger; vapiDeletions?: VapiDeletionProducer }) {
  const { db, audit } = deps;
  const eraseCandidateIn = createCandidateEraser(deps);

  const cutoffFor = (days: number): Date => new Date(deps.clock().getTime() - days * DAY_MS);

  async function sweepOrg(orgId: string, opts: SweepOptions = {}): Promise<OrgSweepResult> {
    const max = opts.max ?? 10_000;
    const { days } = await db.withTenant(orgId, (q) => getRetention(q));
    const cutoff = cutoffFor(days);
    const result: OrgSweepResult = { orgId, days, cutoff: cutoff.toISOString(), dryRun: Boolean(opts.dryRun), candidates: [], erased: 0 };
    if (opts.dryRun) {
      const due = await db.withTenant(orgId, (q) => dueCandidates(q, cutoff, max));
      result.candidates = due.map((d) => ({ candidateId: d.id, applications: d.applications, lastDecisionAt: d.last_closed_at.toISOString() }));
      return result;
    }
    // Unconfirmed public re-submissions past their time lose their held files (issue 14).
    const expiredResubmissions = await db.withTenantTx(orgId, (tx) => expireResubmissionsIn(tx, orgId, deps.clock()));
    if (expiredResubmissions > 0) deps.logger.info({ orgId, expiredResubmissions }, 'held re-submissions expired');
    const seen = new Set<string>();
    while (result.erased < max) {
      const due = (await db.withTenant(orgId, (q) => dueCandidates(q, cutoff, BATCH))).filter((d) => !seen.has(d.id));
      if (due.length === 0) break;
      for (const d of due.slice(0, max - result.erased)) {
        seen.add(d.id);
        // One transaction per candidate: a failure leaves the others erased and this one whole.
        const erased = await retryOnDeadlock(() => db.withTenantTx(orgId, async (tx) => {
          const still = await lockIfStillDue(tx, d.id, cutoff);
          if (!still) return null;
          const out = await eraseCandidateIn(tx, orgId, d.id, {
            reason: 'retention',
            actor: { type: 'system' },
            metadata: { retentionDays: days, applications: still.applications, lastDecisionAt: still.last_closed_at.toISOString() },
          });
          return { ...still, vapiCallIds: out.vapiCallIds };
        }));
        if (erased) {
          await enqueueDeletions(deps.vapiDeletions, deps.logger, orgId, erased.vapiCallIds);
          result.erased += 1;
          result.candidates.push({ candidateId: d.id, applications: erased.applications, lastDecisionAt: erased.last_closed_at.toISOString() });
        }
      }
    }
    await audit.record(orgId, {
      action: 'retention.swept',
      actor: { type: 'system' },
      metadata: { retentionDays: days, cutoff: result.cutoff, erased: result.erased },
    });
    deps.logger.info({ orgId, erased: result.erased, retentionDays: days }, 'retention sweep done');
    return result;
  }

  return {
    sweepOrg,

    /** Every org (or one), one after the other. */
    async sweep(opts: SweepOptions & { orgId?: string } = {}): Promise<OrgSweepResult[]> {
      // Offboarded orgs (tombstones) hold no candidates: they are not swept.
      const orgIds = opts.orgId ? [opts.orgId] : await listSweptOrgIds(db.pool);
      const out: OrgSweepResult[] = [];
      for (const orgId of orgIds) out.push(await sweepOrg(orgId, opts));
      return out;
    },

    async settings(ctx: Ctx) {
      return db.withTenant(ctx.orgId, async (q) => {
        const r = await getRetention(q);
        return {
          days: r.days,
          defaultDays: DEFAULT_RETENTION_DAYS,
          updatedAt: r.updated_at?.toISOString() ?? null,
          updatedBy: r.updated_by,
          dueNow: await countDue(q, cutoffFor(r.days)),
        };
      });
    },

    async updateSettings(ctx: Ctx, days: number) {
      await db.withTenantTx(ctx.orgId, async (tx) => {
        const before = await getRetention(tx);
        await upsertRetention(tx, ctx.orgId, days, ctx.userId);
        // The notices state the retention: a change makes a new notice version now.
        await currentNoticeIn(tx, ctx.orgId);
        await audit.recordIn(tx, ctx.orgId, {
          action: 'retention.settings_changed',
          actor: { type: 'user', id: ctx.userId },
          metadata: { days, previousDays: before.days },
          requestId: ctx.requestId,
        });
      });
      return this.settings(ctx);
    },
  };
}

export type RetentionService = ReturnType<typeof createRetentionService>;
