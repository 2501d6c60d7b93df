// Org offboarding (DESIGN sections 5 and 9).
//
// start:  the org enters its 30-day export window. Members' sessions are revoked and the org
//         is no longer offered at sign-in (password or SSO); public apply pages, interview
//         and contest links stop resolving and Vapi webhooks are refused (migration 0028);
//         open invitations are revoked. The data stays intact and exportable
//         (`hirebox export org`), so the start can be cancelled.
// cancel: within the window, everything resolves again (members sign in anew; revoked
//         sessions and invitations stay revoked).
// delete: after the window, the daily retention sweep deletes every tenant row of the org,
//         destroys the org key (org_keys row), removes invitations and the accounts of
//         members with no other org, and leaves a tombstone org row with its (PII-free,
//         hash-chained) audit trail. A database backup taken before the deletion still
//         holds the org key wrapped by the master key, so the deletion is also written to
//         the erasure ledger (server/core/erasure-ledger.ts, same order as
//         retention/erase.ts: appended before COMMIT), which every restore re-applies.
import type { Logger } from 'pino';
import type { AuditLog } from '../../core/audit.js';
import type { GlobalDb, TenantDb } from '../../core/db.js';
import type { ErasureLedger } from '../../core/erasure-ledger.js';
import { ConflictError, NotFoundError } from '../../core/errors.js';
import { recordOrgCallDeletions } from '../interviews/index.js';
import { enqueueDeletions, type VapiDeletionProducer } from '../interviews/index.js';
import {
  clearOffboarding,
  countOrgRows,
  countOwnMemberships,
  deleteInviteTokens,
  deleteOrgRows,
  deleteUser,
  destroyOrgKey,
  findOrgState,
  markOffboarded,
  orgKeyReceipt,
  markOffboardingStarted,
  memberUserIds,
  orgsDueForDeletion,
  purgeableTables,
  revokeOrgInvites,
  savepoint,
  type OrgStateRow,
} from './repo.js';

export const EXPORT_WINDOW_DAYS = 30;
const DAY_MS = 24 * 3600 * 1000;

export interface OffboardingState {
  orgId: string;
  status: 'active' | 'offboarding' | 'offboarded';
  startedAt: string | null;
  deleteAfter: string | null;
  offboardedAt: string | null;
}

export interface OrgDeletion {
  orgId: string;
  rowsDeleted: Record<string, number>;
  orgKeyDestroyed: boolean;
  usersDeleted: number;
}

/** Revokes sessions; the session service pushes revocations to every app process. */
export interface SessionRevoker {
  revokeUser(userId: string, scope: { orgId?: string }): Promise<number>;
}

function stateOf(org: OrgStateRow): OffboardingState {
  return {
    orgId: org.id,
    status: org.offboarded_at ? 'offboarded' : org.offboarding_started_at ? 'offboarding' : 'active',
    startedAt: org.offboarding_started_at?.toISOString() ?? null,
    deleteAfter: org.offboarding_started_at ? new Date(org.offboarding_started_at.getTime() + EXPORT_WINDOW_DAYS * DAY_MS).toISOString() : null,
    offboardedAt: org.offboarded_at?.toISOString() ?? null,
  };
}

// GlobalDb: offboarding changes the org row, users and invites, which are global.
export function createOffboardingService(deps: { db: TenantDb & GlobalDb; audit: AuditLog; ledger: ErasureLedger; /** Needed to start offboarding (the deletion sweep does without). */ sessions?: SessionRevoker; clock: () => Date; logger: Logger; vapiDeletions?: VapiDeletionProducer }) {
  const { db, audit } = deps;

  async function requireOrg(orgId: string): Promise<OrgStateRow> {
    const org = await findOrgState(db.pool, orgId);
    if (!org) throw new NotFoundError({ resource: 'Org' });
    return org;
  }

  /** Deletes the org's data and key in one transaction; the tombstone and audit trail stay. */
  async function deleteOrg(orgId: string, opts: { /** false for `hirebox erasures reapply` (the entry is there already). */ ledger?: boolean } = {}): Promise<OrgDeletion | null> {
    const members = await db.withTenant(orgId, (q) => memberUserIds(q));
    const result = await db.withTenantTx(orgId, async (tx) => {
      const org = await findOrgState(tx, orgId, true);
      if (!org?.offboarding_started_at || org.offboarded_at) return null; // cancelled or done meanwhile
      // Every call at Vapi is recorded for deletion before the rows go (the table is kept with the tombstone).
      const vapiCallIds = await recordOrgCallDeletions(tx, orgId, 'offboarding');
      const tables = await purgeableTables(tx);
      const rowsDeleted: Record<string, number> = {};
      // Foreign keys between tenant tables decide the order: a table whose rows are still
      // referenced is retried after the others (each attempt under a savepoint).
      let pending = tables.filter((t) => t.deletable).map((t) => t.table);
      while (pending.length > 0) {
        const failed: string[] = [];
        for (const table of pending) {
          await savepoint(tx, 'purge_step', 'SAVEPOINT');
          try {
            rowsDeleted[table] = (rowsDeleted[table] ?? 0) + (await deleteOrgRows(tx, table, orgId));
            await savepoint(tx, 'purge_step', 'RELEASE SAVEPOINT');
          } catch (err) {
            if ((err as { code?: string }).code !== '23503') throw err; // only foreign key order is retried
            await savepoint(tx, 'purge_step', 'ROLLBACK TO SAVEPOINT');
            failed.push(table);
          }
        }
        if (failed.length === pending.length) throw new Error(`org deletion stuck on foreign keys: ${failed.join(', ')}`);
        pending = failed;
      }
      for (const { table } of tables) {
        const left = await countOrgRows(tx, table, orgId);
        if (left > 0) throw new Error(`org deletion left ${left} row(s) in ${table}`);
      }
      const keyReceipt = await orgKeyReceipt(tx, orgId);
      const orgKeyDestroyed = await destroyOrgKey(tx, orgId);
      const at = deps.clock();
      await markOffboarded(tx, orgId, at);
      const deleted = Object.fromEntries(Object.entries(rowsDeleted).filter(([, n]) => n > 0));
      await audit.recordIn(tx, orgId, {
        action: 'org.deleted',
        actor: { type: 'system' },
        target: { type: 'org', id: orgId },
        metadata: { reason: 'offboarding', exportWindowDays: EXPORT_WINDOW_DAYS, offboardingStartedAt: org.offboarding_started_at.toISOString(), orgKeyDestroyed, rowsDeleted: deleted, vapiCallsToDelete: vapiCallIds.length },
      });
      // Last statement before COMMIT: a failed append rolls the deletion back.
      if (opts.ledger !== false) await deps.ledger.append({ kind: 'org', orgId, candidateId: null, reason: 'offboarding', at: at.toISOString(), keyReceipt });
      return { orgId, rowsDeleted: deleted, orgKeyDestroyed, usersDeleted: 0, vapiCallIds };
    });
    if (!result) return null;
    const { vapiCallIds, ...deletion } = result;
    await enqueueDeletions(deps.vapiDeletions, deps.logger, orgId, vapiCallIds);
    // Global rows: invitations to the org, and the accounts of members with no other org.
    await deleteInviteTokens(db.pool, orgId);
    for (const userId of members) {
      const remaining = await db.withUserTx(userId, (tx) => countOwnMemberships(tx, userId));
      if (remaining === 0) {
        await deleteUser(db.pool, userId);
        deletion.usersDeleted += 1;
      }
    }
    deps.logger.info({ orgId, usersDeleted: deletion.usersDeleted, orgKeyDestroyed: deletion.orgKeyDestroyed, vapiCalls: vapiCallIds.length }, 'offboarded org deleted');
    return deletion;
  }

  return {
    async status(orgId: string): Promise<OffboardingState> {
      return stateOf(await requireOrg(orgId));
    },

    async start(orgId: string): Promise<OffboardingState & { sessionsRevoked: number; invitesRevoked: number }> {
      const org = await requireOrg(orgId);
      if (org.offboarded_at) throw new ConflictError({ detail: 'This org has already been offboarded and deleted.' });
      if (org.offboarding_started_at) throw new ConflictError({ detail: `Offboarding already started at ${org.offboarding_started_at.toISOString()}; --cancel restores the org.` });
      const sessions = deps.sessions;
      if (!sessions) throw new Error('starting offboarding needs the session service');
      const at = deps.clock();
      if (!(await markOffboardingStarted(db.pool, orgId, at))) throw new ConflictError({ detail: 'Offboarding was started concurrently.' });
      let sessionsRevoked = 0;
      for (const userId of await db.withTenant(orgId, (q) => memberUserIds(q))) sessionsRevoked += await sessions.revokeUser(userId, { orgId });
      const invitesRevoked = await revokeOrgInvites(db.pool, orgId, at);
      const state = stateOf({ ...org, offboarding_started_at: at });
      await audit.record(orgId, {
        action: 'org.offboarding_started',
        actor: { type: 'system' },
        target: { type: 'org', id: orgId },
        metadata: { via: 'cli', exportWindowDays: EXPORT_WINDOW_DAYS, deleteAfter: state.deleteAfter, sessionsRevoked, invitesRevoked },
      });
      return { ...state, sessionsRevoked, invitesRevoked };
    },

    async cancel(orgId: string): Promise<OffboardingState> {
      const org = await requireOrg(orgId);
      if (org.offboarded_at) throw new ConflictError({ detail: 'Too late to cancel: the org has been deleted.' });
      if (!org.offboarding_started_at) throw new ConflictError({ detail: 'This org is not being offboarded.' });
      if (!(await clearOffboarding(db.pool, orgId))) throw new ConflictError({ detail: 'The org changed concurrently; check its status.' });
      await audit.record(orgId, {
        action: 'org.offboarding_cancelled',
        actor: { type: 'system' },
        target: { type: 'org', id: orgId },
        metadata: { via: 'cli', startedAt: org.offboarding_started_at.toISOString() },
      });
      return stateOf({ ...org, offboarding_started_at: null });
    },

    deleteOrg,

    /** `hirebox org offboard --delete`: what the daily sweep does, for one org whose window has closed. */
    async deleteNow(orgId: string): Promise<OrgDeletion> {
      const org = await requireOrg(orgId);
      if (org.offboarded_at) throw new ConflictError({ detail: 'This org has already been deleted.' });
      if (!org.offboarding_started_at) throw new ConflictError({ detail: 'This org is not being offboarded: start with `hirebox org offboard --org ID`.' });
      const deleteAfter = org.offboarding_started_at.getTime() + EXPORT_WINDOW_DAYS * DAY_MS;
      if (deps.clock().getTime() < deleteAfter) throw new ConflictError({ detail: `The export window is open until ${new Date(deleteAfter).toISOString()}; the data cannot be deleted before.` });
      const deleted = await deleteOrg(orgId);
      if (!deleted) throw new ConflictError({ detail: 'The org changed concurrently; check its status.' });
      return deleted;
    },

    /** The daily part of the retention sweep: orgs whose export window has closed. */
    async sweep(): Promise<OrgDeletion[]> {
      const cutoff = new Date(deps.clock().getTime() - EXPORT_WINDOW_DAYS * DAY_MS);
      const out: OrgDeletion[] = [];
      for (const orgId of await orgsDueForDeletion(db.pool, cutoff)) {
        const deleted = await deleteOrg(orgId);
        if (deleted) out.push(deleted);
      }
      return out;
    },
  };
}

export type OffboardingService = ReturnType<typeof createOffboardingService>;
