// The trust page's logic (issue 23): run the checks that are due, store their results,
// raise alerts when a line turns to failing, and build the signed documents of /trust.json
// and /trust/<org>/trust.json from stored results. A stored result is shown only until its
// interval has passed; after that the line reads "stale" and counts as failing, never as
// the last answer. Hidden checks (operator, with a written reason) show the reason instead.
import { createHash, createPublicKey, sign, type KeyObject } from 'node:crypto';
import type { Logger } from 'pino';
import type { AuditLog } from '../../core/audit.js';
import type { Json } from '../../core/canonical-json.js';
import type { GlobalDb, TenantDb } from '../../core/db.js';
import type { AlertSink } from '../alerts/index.js';
import type { DocFacts } from '../aidocs/index.js';
import { listSweptOrgIds } from '../retention/index.js';
import type { CheckDefinition, Outcome } from './checks.js';
import { findOrgForTrust, listHidden, listInstallResults, listOrgResults, saveInstallResult, saveOrgResult, type HiddenCheck, type ResultRow } from './repo.js';

export type LineStatus = 'pass' | 'fail' | 'unknown' | 'stale' | 'not_run' | 'hidden';

export interface TrustLine {
  id: string;
  title: string;
  promise: string;
  how: string;
  intervalSeconds: number;
  status: LineStatus;
  /** True only for a fresh, passing result. */
  ok: boolean;
  summary: string;
  evidence: Record<string, Json>;
  checkedAt: string | null;
  /** After this time the result is no longer shown as current. */
  staleAfter: string | null;
  failingSince: string | null;
  hidden: { reason: string; hiddenAt: string } | null;
}

export interface TrustDocument {
  v: 1;
  install: string;
  org: { name: string; slug: string } | null;
  /** The organisation's own settings (per-org documents only). */
  settings: Record<string, Json> | null;
  signingKey: { keyId: string; url: string; algorithm: 'Ed25519' };
  summary: { total: number; passing: number; failing: number; unknown: number; hidden: number };
  lines: TrustLine[];
}

export interface RunResult {
  id: string;
  status: 'pass' | 'fail' | 'unknown';
  summary: string;
  orgsFailing: number;
}

export interface TrustServiceDeps {
  // GlobalDb: install-wide trust results and the org list for alerts are global.
  db: TenantDb & GlobalDb;
  checks: CheckDefinition[];
  signingKey: KeyObject;
  publicUrl: URL;
  clock: () => Date;
  log: Logger;
  /** Alerts to the affected orgs; the worker and the app pass the queued alert service. */
  alerts?: Pick<AlertSink, 'raise'>;
  /** The operator's record: failing lines are written to the platform audit chain. */
  audit?: Pick<AuditLog, 'recordPlatform'>;
  /** Per-org settings for the org view (retention, AI, subprocessors). */
  docs?: { facts(orgId: string): Promise<DocFacts> };
}

/** Re-run a check this long before its interval ends, so a live worker never lets it go stale. */
export const REFRESH_MARGIN_MS = 5 * 60_000;

function keyIdOf(publicKey: KeyObject): string {
  return createHash('sha256').update(publicKey.export({ format: 'der', type: 'spki' })).digest('hex').slice(0, 16);
}

export function createTrustService(deps: TrustServiceDeps) {
  const publicKey = createPublicKey(deps.signingKey);
  const publicKeyPem = publicKey.export({ format: 'pem', type: 'spki' }).toString();
  const keyId = keyIdOf(publicKey);
  const keyUrl = new URL('/trust/key.pem', deps.publicUrl.origin).toString();
  /** Stale alerts raised by this process (check id -> time), at most one per check per interval. */
  const staleRaised = new Map<string, number>();

  async function alertOrgs(orgIds: string[], def: CheckDefinition, outcome: Outcome): Promise<void> {
    if (!deps.alerts) return;
    const summary = `Trust page: "${def.title}" is failing: ${outcome.summary}`.slice(0, 500);
    for (const orgId of orgIds) await deps.alerts.raise(orgId, 'trust_check_failing', summary, { check: def.id, status: outcome.status });
  }

  async function recordOperator(def: CheckDefinition, status: string, summary: string): Promise<void> {
    deps.log.error({ check: def.id, status }, 'trust check failing');
    if (!deps.audit) return;
    try {
      await deps.audit.recordPlatform({ action: 'trust.check_failing', actor: { type: 'system' }, target: { type: 'trust_check', id: def.id }, metadata: { status, summary: summary.slice(0, 300) } });
    } catch (err) {
      deps.log.error({ check: def.id, err: { message: (err as Error).message } }, 'trust failure could not be recorded');
    }
  }

  async function runOne(def: CheckDefinition): Promise<RunResult> {
    const checkedAt = deps.clock();
    let install: Outcome;
    let orgs: Map<string, Outcome> | undefined;
    try {
      const run = await def.run();
      install = run.install;
      orgs = run.orgs;
    } catch (err) {
      deps.log.warn({ check: def.id, err: { message: (err as Error).message } }, 'trust check could not run');
      install = { status: 'fail', summary: 'The check itself could not run (the operator has the details in the log).', evidence: {} };
    }
    const base = { checkId: def.id, checkedAt, intervalSeconds: def.intervalSeconds };
    const newlyFailingOrgs: string[] = [];
    if (orgs) {
      for (const [orgId, o] of orgs) {
        const saved = await deps.db.withTenantTx(orgId, (tx) => saveOrgResult(tx, orgId, { ...base, ...o }));
        if (saved.newlyFailing) newlyFailingOrgs.push(orgId);
      }
    }
    const saved = await saveInstallResult(deps.db.pool, { ...base, ...install });
    if (saved.newlyFailing) await recordOperator(def, install.status, install.summary);
    for (const orgId of newlyFailingOrgs) await alertOrgs([orgId], def, orgs?.get(orgId) ?? install);
    // An install-wide failure no single org explains (TLS, ports, backups, ...) concerns every org.
    if (saved.newlyFailing && newlyFailingOrgs.length === 0 && ![...(orgs?.values() ?? [])].some((o) => o.status === 'fail')) {
      await alertOrgs(await listSweptOrgIds(deps.db.pool), def, install);
    }
    return { id: def.id, status: install.status, summary: install.summary, orgsFailing: [...(orgs?.values() ?? [])].filter((o) => o.status === 'fail').length };
  }

  /** Runs the checks that are due (all of them with force, or only `only`). */
  async function run(opts: { force?: boolean; only?: string[] } = {}): Promise<RunResult[]> {
    const now = deps.clock().getTime();
    const stored = new Map((await listInstallResults(deps.db.pool)).map((r) => [r.checkId, r]));
    const results: RunResult[] = [];
    for (const def of deps.checks) {
      if (opts.only && !opts.only.includes(def.id)) continue;
      const last = stored.get(def.id);
      const due = !last || last.checkedAt.getTime() + def.intervalSeconds * 1000 - Math.min(REFRESH_MARGIN_MS, (def.intervalSeconds * 1000) / 3) <= now;
      if (opts.force || due) results.push(await runOne(def));
    }
    return results;
  }

  function line(def: CheckDefinition, row: ResultRow | undefined, hidden: HiddenCheck | undefined, now: Date): TrustLine {
    const base = { id: def.id, title: def.title, promise: def.promise, how: def.how, intervalSeconds: def.intervalSeconds };
    if (hidden) {
      return { ...base, status: 'hidden', ok: false, summary: `Hidden by the operator: ${hidden.reason}`, evidence: {}, checkedAt: null, staleAfter: null, failingSince: null, hidden: { reason: hidden.reason, hiddenAt: hidden.hiddenAt.toISOString() } };
    }
    if (!row) return { ...base, status: 'not_run', ok: false, summary: 'Not checked yet: the worker has not run this check.', evidence: {}, checkedAt: null, staleAfter: null, failingSince: null, hidden: null };
    // The interval of the definition, not of the row: shortening it takes effect at once.
    const staleAfter = new Date(row.checkedAt.getTime() + Math.min(row.intervalSeconds, def.intervalSeconds) * 1000);
    const stale = now > staleAfter;
    return {
      ...base,
      status: stale ? 'stale' : row.status,
      ok: !stale && row.status === 'pass',
      summary: stale ? `Stale: last checked ${row.checkedAt.toISOString()}, which is longer ago than its interval. Last result: ${row.summary}` : row.summary,
      evidence: row.evidence,
      checkedAt: row.checkedAt.toISOString(),
      staleAfter: staleAfter.toISOString(),
      failingSince: row.failingSince?.toISOString() ?? null,
      hidden: null,
    };
  }

  async function raiseStale(lines: TrustLine[], orgIds: string[] | null): Promise<void> {
    const now = deps.clock().getTime();
    for (const l of lines) {
      if (l.status !== 'stale') continue;
      const key = `${orgIds?.join(',') ?? '*'}:${l.id}`;
      const last = staleRaised.get(key);
      if (last !== undefined && now - last < l.intervalSeconds * 1000) continue;
      staleRaised.set(key, now);
      const def = deps.checks.find((d) => d.id === l.id);
      if (!def) continue;
      if (!orgIds) await recordOperator(def, 'stale', l.summary);
      await alertOrgs(orgIds ?? (await listSweptOrgIds(deps.db.pool)), def, { status: 'fail', summary: 'its last result is older than its interval (the worker is not running it)', evidence: {} });
    }
  }

  function summarise(lines: TrustLine[]): TrustDocument['summary'] {
    return {
      total: lines.length,
      passing: lines.filter((l) => l.ok).length,
      failing: lines.filter((l) => l.status === 'fail' || l.status === 'stale' || l.status === 'not_run').length,
      unknown: lines.filter((l) => l.status === 'unknown').length,
      hidden: lines.filter((l) => l.status === 'hidden').length,
    };
  }

  async function installDocument(): Promise<TrustDocument> {
    const now = deps.clock();
    const [rows, hidden] = await Promise.all([listInstallResults(deps.db.pool), listHidden(deps.db.pool)]);
    const byId = new Map(rows.map((r) => [r.checkId, r]));
    const hiddenById = new Map(hidden.map((h) => [h.checkId, h]));
    const lines = deps.checks.map((def) => line(def, byId.get(def.id), hiddenById.get(def.id), now));
    await raiseStale(lines, null);
    return { v: 1, install: deps.publicUrl.origin, org: null, settings: null, signingKey: { keyId, url: keyUrl, algorithm: 'Ed25519' }, summary: summarise(lines), lines };
  }

  /** The org's page: install-wide lines, with the org's own result where a check looks into orgs, and its settings. Null for an unknown slug. */
  async function orgDocument(slug: string): Promise<TrustDocument | null> {
    const org = await findOrgForTrust(deps.db.pool, slug);
    if (!org) return null;
    const now = deps.clock();
    const [installRows, orgRows, hidden] = await Promise.all([listInstallResults(deps.db.pool), deps.db.withTenant(org.id, (q) => listOrgResults(q)), listHidden(deps.db.pool)]);
    const installById = new Map(installRows.map((r) => [r.checkId, r]));
    const orgById = new Map(orgRows.map((r) => [r.checkId, r]));
    const hiddenById = new Map(hidden.map((h) => [h.checkId, h]));
    const lines = deps.checks.map((def) => line(def, orgById.get(def.id) ?? installById.get(def.id), hiddenById.get(def.id), now));
    await raiseStale(lines, [org.id]);
    let settings: Record<string, Json> | null = null;
    if (deps.docs) {
      const f = await deps.docs.facts(org.id);
      settings = {
        retentionDays: f.retentionDays,
        ai: { provider: f.screening.provider, model: f.screening.model, modelSource: f.screening.modelSource, paused: f.screening.paused, interviews: f.interviews ? { llm: f.interviews.llm, transcriber: f.interviews.transcriber } : null },
        subprocessors: f.subprocessors.map((s) => ({ name: s.name, purpose: s.purpose, location: s.location, data: s.data })),
      };
    }
    return { v: 1, install: deps.publicUrl.origin, org: { name: org.name, slug: org.slug }, settings, signingKey: { keyId, url: keyUrl, algorithm: 'Ed25519' }, summary: summarise(lines), lines };
  }

  /** The exact bytes served as JSON and their detached Ed25519 signature. */
  function signDocument(doc: TrustDocument): { body: string; signature: Buffer } {
    const body = `${JSON.stringify(doc, null, 2)}\n`;
    return { body, signature: sign(null, Buffer.from(body, 'utf8'), deps.signingKey) };
  }

  return { run, installDocument, orgDocument, signDocument, publicKeyPem, keyId, checks: deps.checks };
}

export type TrustService = ReturnType<typeof createTrustService>;
