// Master key rotation (DESIGN §5): `hirebox keys rotate` re-wraps every org key that the
// current master key does not wrap yet, and re-seals users' MFA secrets; `hirebox keys status`
// says what each master key still wraps, so the operator knows when an old key can go.
//
// Only the wrapping changes: org key material stays the same, so candidate keys, blind
// indexes and search tokens derived from it stay valid, and app/worker processes that cached
// an org key keep working. One short transaction per org (row locked FOR UPDATE, audit event
// in the same transaction) makes a run idempotent and resumable: a rerun skips what is done.
import type { AuditLog } from '../../core/audit.js';
import { createMasterKeys, DecryptionError, MasterKeyMissingError, type MasterKeyOptions } from '../../core/crypto.js';
import type { GlobalDb, TenantDb } from '../../core/db.js';
import { createUserSecretBox } from '../auth/index.js';
import { KEY_ROTATED, type KeyRotatedMetadata } from './events.js';
import { findOrgKey, listUserSecrets, lockOrgKey, replaceUserSecret, storeRewrappedOrgKey, type UserSecretColumn } from './repo.js';

export interface KeyRotationDeps {
  /** Owner connection (MIGRATION_DATABASE_URL): only the owner may rewrite org_keys. */
  // GlobalDb: key rotation re-seals user secrets, which are global rows.
  db: TenantDb & GlobalDb;
  audit: AuditLog;
  keys: MasterKeyOptions;
  listOrgIds: () => Promise<string[]>;
}

export interface OrgRotation {
  orgId: string;
  outcome: 'rewrapped' | 'labelled' | 'current' | 'no_key' | 'failed';
  previousMasterKeyId?: string | null;
  error?: string;
}

export interface RotateReport {
  ok: boolean;
  masterKeyId: string;
  orgs: { rewrapped: number; labelled: number; alreadyCurrent: number; withoutKey: number; failed: number };
  failures: { orgId: string; error: string }[];
  userSecrets: { resealed: number; alreadyCurrent: number; failed: number };
  failedUserIds: string[];
}

export interface MasterKeyUsage {
  masterKeyId: string;
  /** current: wraps new keys; previous: configured, unwrap only; missing: some row needs it but this process lacks it. */
  role: 'current' | 'previous' | 'missing';
  /** Org keys whose row records this id. */
  orgKeys: number;
  /** Pre-0027 org keys (no id recorded) that this key opens. */
  unlabelledOrgKeys: number;
  /** Users' sealed MFA secrets this key opens. */
  userSecrets: number;
}

export interface StatusReport {
  ok: boolean;
  currentMasterKeyId: string;
  orgKeys: number;
  keys: MasterKeyUsage[];
  /** Org keys that open with no key this process holds (ids only). */
  unreadableOrgIds: string[];
  unreadableUserSecrets: number;
  /** Something is not under the current key yet: run `hirebox keys rotate`. */
  rotationNeeded: boolean;
  /** Configured previous keys nothing needs any more: safe to remove from MASTER_KEY_PREVIOUS_FILES. */
  retirable: string[];
}

const USER_BATCH = 100;
const USER_COLUMNS: { column: UserSecretColumn; field: 'totpSecretEnc' | 'totpPendingSecretEnc' }[] = [
  { column: 'totp_secret_enc', field: 'totpSecretEnc' },
  { column: 'totp_pending_secret_enc', field: 'totpPendingSecretEnc' },
];

export function createKeyRotationService(deps: KeyRotationDeps) {
  const masterKeys = createMasterKeys(deps.keys);
  const all = [deps.keys.masterKey, ...(deps.keys.previousMasterKeys ?? [])];
  const box = createUserSecretBox(deps.keys.masterKey, deps.keys.previousMasterKeys ?? []);
  // One single-key box per held master key: tells which key a user secret is sealed under.
  const boxesById = new Map(all.map((k) => [createMasterKeys({ masterKey: k }).currentId, createUserSecretBox(k)]));

  async function rotateOrg(orgId: string): Promise<OrgRotation> {
    try {
      return await deps.db.withTenantTx(orgId, async (tx): Promise<OrgRotation> => {
        const row = await lockOrgKey(tx, orgId);
        // An org that never stored encrypted data has no key yet; the first use creates it under the current key.
        if (!row) return { orgId, outcome: 'no_key' };
        if (row.masterKeyId === masterKeys.currentId) return { orgId, outcome: 'current' };
        const { orgKey, masterKeyId: openedWith } = masterKeys.unwrap(orgId, row.wrappedKey, row.masterKeyId);
        const rewrapped = openedWith !== masterKeys.currentId;
        // A pre-0027 row already under the current key keeps its bytes and only gets its id.
        const wrappedKey = rewrapped ? masterKeys.wrap(orgId, orgKey).wrappedKey : row.wrappedKey;
        // Check the new wrapping before it replaces the old one: a bad write here would lose the org's data.
        if (!masterKeys.unwrap(orgId, wrappedKey, masterKeys.currentId).orgKey.equals(orgKey)) throw new DecryptionError('re-wrapped org key does not open');
        await storeRewrappedOrgKey(tx, orgId, wrappedKey, masterKeys.currentId);
        const metadata: KeyRotatedMetadata = { previousMasterKeyId: row.masterKeyId, masterKeyId: masterKeys.currentId, rewrapped };
        await deps.audit.recordIn(tx, orgId, { action: KEY_ROTATED, actor: { type: 'system' }, target: { type: 'org_key', id: orgId }, metadata });
        return { orgId, outcome: rewrapped ? 'rewrapped' : 'labelled', previousMasterKeyId: row.masterKeyId };
      });
    } catch (err) {
      if (err instanceof DecryptionError) return { orgId, outcome: 'failed', error: err.message };
      throw err;
    }
  }

  /** Every sealed MFA secret of every user, in keyset pages of USER_BATCH users. */
  async function forEachUserSecret(fn: (userId: string, column: UserSecretColumn, sealed: Buffer) => Promise<void> | void): Promise<void> {
    let after: string | null = null;
    for (;;) {
      const page = await listUserSecrets(deps.db.pool, after, USER_BATCH);
      if (page.length === 0) return;
      for (const user of page) {
        after = user.userId;
        for (const { column, field } of USER_COLUMNS) {
          const sealed = user[field];
          if (sealed) await fn(user.userId, column, sealed);
        }
      }
    }
  }

  /** Re-seals users' MFA secrets not under the current master key (one transaction per secret). */
  async function resealUserSecrets(): Promise<Pick<RotateReport, 'userSecrets' | 'failedUserIds'>> {
    const out = { userSecrets: { resealed: 0, alreadyCurrent: 0, failed: 0 }, failedUserIds: [] as string[] };
    await forEachUserSecret(async (userId, column, sealed) => {
      if (box.isCurrent(userId, column, sealed)) {
        out.userSecrets.alreadyCurrent += 1;
        return;
      }
      let value: string;
      try {
        value = box.open(userId, column, sealed);
      } catch (err) {
        if (!(err instanceof DecryptionError)) throw err;
        out.userSecrets.failed += 1;
        if (!out.failedUserIds.includes(userId)) out.failedUserIds.push(userId);
        return;
      }
      // Lost the compare-and-set: the user changed their secret meanwhile, sealed under the current key.
      const replaced = await deps.db.tx((tx) => replaceUserSecret(tx, userId, column, sealed, box.seal(userId, column, value)));
      if (replaced) out.userSecrets.resealed += 1;
      else out.userSecrets.alreadyCurrent += 1;
    });
    return out;
  }

  return {
    currentMasterKeyId: masterKeys.currentId,

    async rotate(): Promise<RotateReport> {
      const report: RotateReport = {
        ok: true,
        masterKeyId: masterKeys.currentId,
        orgs: { rewrapped: 0, labelled: 0, alreadyCurrent: 0, withoutKey: 0, failed: 0 },
        failures: [],
        userSecrets: { resealed: 0, alreadyCurrent: 0, failed: 0 },
        failedUserIds: [],
      };
      // Orgs one by one, each committed on its own: an interrupted run loses at most one org's
      // work (rolled back), and a failing org does not stop the others.
      for (const orgId of await deps.listOrgIds()) {
        const r = await rotateOrg(orgId);
        if (r.outcome === 'rewrapped') report.orgs.rewrapped += 1;
        else if (r.outcome === 'labelled') report.orgs.labelled += 1;
        else if (r.outcome === 'current') report.orgs.alreadyCurrent += 1;
        else if (r.outcome === 'no_key') report.orgs.withoutKey += 1;
        else {
          report.orgs.failed += 1;
          report.failures.push({ orgId, error: r.error ?? 'cannot be unwrapped' });
        }
      }
      Object.assign(report, await resealUserSecrets());
      report.ok = report.orgs.failed === 0 && report.userSecrets.failed === 0;
      return report;
    },

    async status(): Promise<StatusReport> {
      const usage = new Map<string, MasterKeyUsage>();
      const entry = (id: string): MasterKeyUsage => {
        let u = usage.get(id);
        if (!u) {
          u = { masterKeyId: id, role: id === masterKeys.currentId ? 'current' : masterKeys.has(id) ? 'previous' : 'missing', orgKeys: 0, unlabelledOrgKeys: 0, userSecrets: 0 };
          usage.set(id, u);
        }
        return u;
      };
      for (const id of masterKeys.heldIds) entry(id);
      const report: StatusReport = {
        ok: true,
        currentMasterKeyId: masterKeys.currentId,
        orgKeys: 0,
        keys: [],
        unreadableOrgIds: [],
        unreadableUserSecrets: 0,
        rotationNeeded: false,
        retirable: [],
      };
      for (const orgId of await deps.listOrgIds()) {
        const row = await deps.db.withTenant(orgId, (q) => findOrgKey(q, orgId));
        if (!row) continue;
        report.orgKeys += 1;
        if (row.masterKeyId !== null) {
          entry(row.masterKeyId).orgKeys += 1;
          if (!masterKeys.has(row.masterKeyId)) report.unreadableOrgIds.push(orgId);
          continue;
        }
        try {
          entry(masterKeys.unwrap(orgId, row.wrappedKey, null).masterKeyId).unlabelledOrgKeys += 1;
        } catch (err) {
          if (!(err instanceof MasterKeyMissingError)) throw err;
          report.unreadableOrgIds.push(orgId);
        }
      }
      await forEachUserSecret((userId, column, sealed) => {
        const id = [...boxesById].find(([, b]) => b.isCurrent(userId, column, sealed))?.[0];
        if (id) entry(id).userSecrets += 1;
        else report.unreadableUserSecrets += 1;
      });
      report.keys = [...usage.values()];
      const needed = (u: MasterKeyUsage): boolean => u.orgKeys + u.unlabelledOrgKeys + u.userSecrets > 0;
      const current = entry(masterKeys.currentId);
      report.rotationNeeded = current.unlabelledOrgKeys > 0 || report.keys.some((u) => u.role !== 'current' && needed(u));
      report.retirable = report.keys.filter((u) => u.role === 'previous' && !needed(u)).map((u) => u.masterKeyId);
      report.ok = report.unreadableOrgIds.length === 0 && report.unreadableUserSecrets === 0;
      return report;
    },
  };
}

export type KeyRotationService = ReturnType<typeof createKeyRotationService>;
