// The registry of trust checks (issue 23). Each line of /trust is one of these: the promise
// in plain words, how it is checked, how often, and a run() that checks it against this
// install now. Install-wide results carry aggregates only; per-org results (audit chain,
// MFA, retention, AI settings, subprocessors, bias) are stored under the org (RLS) and only
// shown on that org's own page.
import { readFile, stat } from 'node:fs/promises';
import type { AuditLog } from '../../core/audit.js';
import type { Json } from '../../core/canonical-json.js';
import type { Config } from '../../core/config.js';
import type { GlobalDb, TenantDb } from '../../core/db.js';
import { GLOBAL_TABLES } from '../../core/tenancy.js';
import type { DocFacts } from '../aidocs/index.js';
import { latestBackupRun } from '../backups/index.js';
import type { BiasReport } from '../bias/index.js';
import { getRetention } from '../retention/index.js';
import { getAiSettings } from '../screening/index.js';
import { PROVIDER_STORE } from '../screening/index.js';
import { listSweptOrgIds } from '../retention/index.js';
import { parseNftRuleset } from './firewall.js';
import { fetchSelf, handshake, hstsMaxAge, refusedByServer, type SelfTarget } from './probe.js';
import { lastRestoreDrill, lastRetentionSweep, lastSignedCheckpoint, mfaFacts, rlsFacts } from './repo.js';

export type CheckStatus = 'pass' | 'fail' | 'unknown';
export type Evidence = Record<string, Json>;

export interface Outcome {
  status: CheckStatus;
  summary: string;
  evidence: Evidence;
}

export interface CheckRun {
  install: Outcome;
  /** Per-org outcomes, keyed by org id (checks that look into each org). */
  orgs?: Map<string, Outcome>;
}

export interface CheckDefinition {
  id: string;
  title: string;
  promise: string;
  how: string;
  intervalSeconds: number;
  run(): Promise<CheckRun>;
}

export interface CheckDeps {
  // GlobalDb: install-wide checks run across every org.
  db: TenantDb & GlobalDb;
  config: Pick<Config, 'publicUrl' | 'aiProvider' | 'openai' | 'vapi' | 'backups' | 'auditCheckpointEveryMs' | 'trust'>;
  /** Verifies org chains (with the signing key's public half and retired keys). */
  audit: Pick<AuditLog, 'verify' | 'verifyPlatform'>;
  docs: { facts(orgId: string): Promise<DocFacts> };
  bias: { orgReportForTrust(orgId: string): Promise<BiasReport> };
  clock: () => Date;
  /** Extra CA for PUBLIC_URL's certificate (TRUST_SELF_CA_FILE), read at each run: an internal CA may appear after start-up. */
  selfCa: () => Buffer | null;
}

/** The ids of the checks, in page order (the CLI validates ids against it; a unit test keeps it equal to createChecks). */
export const CHECK_IDS = ['tls', 'ports', 'mfa', 'rls', 'audit_chain', 'backups', 'retention', 'subprocessors', 'ai_settings', 'build_audit', 'security_txt', 'bias'] as const;

export const HSTS_MIN_SECONDS = 365 * 24 * 3600;
/** The restore drill is monthly (ops/runbooks/backup-restore.md); a few days of slack. */
export const DRILL_MAX_AGE_DAYS = 35;
/** The retention sweep is daily; two hours of slack. */
export const SWEEP_MAX_AGE_HOURS = 26;
const HOUR = 3600;
const DAY_MS = 24 * 3_600_000;

const pass = (summary: string, evidence: Evidence = {}): Outcome => ({ status: 'pass', summary, evidence });
const fail = (summary: string, evidence: Evidence = {}): Outcome => ({ status: 'fail', summary, evidence });
const unknown = (summary: string, evidence: Evidence = {}): Outcome => ({ status: 'unknown', summary, evidence });

/** A model name pinned to a dated snapshot (gpt-4o-mini-2024-07-18, gpt-4-0613) or an explicit @version; an alias like gpt-4o moves. */
export function isPinnedModel(model: string): boolean {
  return /-\d{4}-\d{2}-\d{2}$|-\d{4}$|@[\w.-]+$/.test(model);
}

function hoursBetween(a: Date, b: Date): number {
  return Math.floor((a.getTime() - b.getTime()) / 3_600_000);
}

function worst(outcomes: Iterable<Outcome>): CheckStatus {
  let status: CheckStatus = 'pass';
  for (const o of outcomes) {
    if (o.status === 'fail') return 'fail';
    if (o.status === 'unknown') status = 'unknown';
  }
  return status;
}

export function createChecks(deps: CheckDeps): CheckDefinition[] {
  const { config, db } = deps;
  const selfTarget = (): SelfTarget => ({ publicUrl: config.publicUrl, connect: config.trust.selfConnect, ca: deps.selfCa() });

  /** Orgs the checks look into: every org but offboarded tombstones. */
  const orgIds = () => listSweptOrgIds(db.pool);

  async function perOrg(fn: (orgId: string) => Promise<Outcome>): Promise<Map<string, Outcome>> {
    const out = new Map<string, Outcome>();
    for (const orgId of await orgIds()) out.set(orgId, await fn(orgId));
    return out;
  }

  const tls: CheckDefinition = {
    id: 'tls',
    title: 'Encryption in transit',
    promise: 'Connections use TLS 1.2 or 1.3 only, with a valid certificate, and browsers are told to always use HTTPS (HSTS, at least one year).',
    how: 'This install connects to itself at its public address (through its proxy), tries TLS 1.0, 1.1, 1.2 and 1.3 handshakes, and reads the Strict-Transport-Security header of the answer.',
    intervalSeconds: 15 * 60,
    async run() {
      if (config.publicUrl.protocol !== 'https:') return { install: fail(`The public address ${config.publicUrl.origin} is not HTTPS.`, { publicUrl: config.publicUrl.origin }) };
      const target = selfTarget();
      const [v10, v11, v12, v13] = await Promise.all([handshake(target, 'TLSv1'), handshake(target, 'TLSv1.1'), handshake(target, 'TLSv1.2'), handshake(target, 'TLSv1.3')]);
      const accepted = [v10, v11, v12, v13].flatMap((h, i) => (h.ok ? [['TLS 1.0', 'TLS 1.1', 'TLS 1.2', 'TLS 1.3'][i] as string] : []));
      const evidence: Evidence = { publicUrl: config.publicUrl.origin, accepted };
      if (!v12.ok && !v13.ok) return { install: fail(`No TLS 1.2 or 1.3 connection to ${config.publicUrl.origin}: ${v12.ok ? '' : v12.error}.`, evidence) };
      const modern = v13.ok ? v13 : v12;
      if (modern.ok && !modern.authorized) return { install: fail(`The certificate at ${config.publicUrl.origin} is not valid: ${modern.authorizationError ?? 'untrusted'}.`, evidence) };
      if (v10.ok || v11.ok) return { install: fail(`Outdated protocols are accepted: ${accepted.filter((a) => a === 'TLS 1.0' || a === 'TLS 1.1').join(', ')}.`, evidence) };
      const unprovable = [v10, v11].filter((h) => !h.ok && !refusedByServer(h.error));
      if (unprovable.length) return { install: unknown('This checker could not offer TLS 1.0/1.1, so it cannot prove they are refused.', evidence) };
      const res = await fetchSelf(selfTarget(), '/healthz').catch((err: Error) => err);
      if (res instanceof Error) return { install: fail(`The public address did not answer over HTTPS: ${res.message}.`, evidence) };
      const maxAge = hstsMaxAge(res.headers['strict-transport-security']);
      evidence.hsts = typeof res.headers['strict-transport-security'] === 'string' ? res.headers['strict-transport-security'] : null;
      if (maxAge === null) return { install: fail('Answers carry no Strict-Transport-Security header.', evidence) };
      if (maxAge < HSTS_MIN_SECONDS) return { install: fail(`HSTS max-age is ${maxAge} s, under one year.`, evidence) };
      return { install: pass(`Only ${accepted.join(' and ')} accepted; valid certificate; HSTS max-age ${maxAge} s.`, evidence) };
    },
  };

  const ports: CheckDefinition = {
    id: 'ports',
    title: 'Open ports',
    promise: `Only the expected ports are reachable from the internet (${config.trust.expectedPorts.join(', ')}); everything else is dropped.`,
    how: "Reads the host firewall's own listing (`nft list ruleset`, written when the playbook deploys the host) and lists what its input chain accepts.",
    intervalSeconds: HOUR,
    async run() {
      const file = config.trust.firewallListingFile;
      if (!file) return { install: unknown('No firewall listing is available to this install (TRUST_FIREWALL_LISTING_FILE is not set; the Ansible playbook sets it).') };
      let text: string;
      let listedAt: string;
      try {
        // eslint-disable-next-line security/detect-non-literal-fs-filename -- the path comes from operator config (TRUST_FIREWALL_LISTING_FILE), never from a request
        [text, listedAt] = await Promise.all([readFile(file, 'utf8'), stat(file).then((s) => s.mtime.toISOString())]);
      } catch {
        return { install: unknown('The firewall listing could not be read.') };
      }
      const listing = parseNftRuleset(text);
      const expected = new Set(config.trust.expectedPorts);
      const unexpected = listing.open.filter((p) => !expected.has(p));
      const evidence: Evidence = { listedAt, open: listing.open, expected: [...expected], inputPolicies: listing.inputChains.map((c) => `${c.table} ${c.chain}: ${c.policy}`), broad: listing.broad };
      if (listing.inputChains.length === 0) return { install: fail('The firewall listing has no input chain: nothing filters incoming traffic.', evidence) };
      if (!listing.defaultDrop) return { install: fail('No input chain drops by default: every port not explicitly closed is open.', evidence) };
      if (listing.broad.length) return { install: fail(`Broad accept rules: ${listing.broad.join('; ')}.`, evidence) };
      if (unexpected.length) return { install: fail(`Unexpected open ports: ${unexpected.join(', ')}.`, evidence) };
      return { install: pass(`Input policy drop; open: ${listing.open.join(', ') || 'none'}.`, evidence) };
    },
  };

  const mfa: CheckDefinition = {
    id: 'mfa',
    title: 'Multi-factor authentication',
    promise: 'Every member signs in with a second factor (an authenticator app); nobody can skip enrolment.',
    how: 'Counts, in every organisation, the members who can sign in and those with an authenticator enrolled (or single sign-on whose provider enforces MFA).',
    intervalSeconds: HOUR,
    async run() {
      // Counts stay here: an org's public page states the share only, not how many people it has.
      let members = 0;
      let enrolled = 0;
      const orgs = await perOrg(async (orgId) => {
        const f = await mfaFacts(db, orgId);
        members += f.members;
        enrolled += f.enrolled;
        const share = f.members ? Math.round((f.enrolled / f.members) * 1000) / 10 : 100;
        const evidence: Evidence = { share };
        if (f.enrolled < f.members) return fail(`Not every member who can sign in has a second factor (${share}% enrolled).`, evidence);
        return pass('Every member who can sign in has a second factor (100%).', evidence);
      });
      const gaps = [...orgs.values()].filter((o) => o.status === 'fail').length;
      const share = members ? Math.round((enrolled / members) * 1000) / 10 : 100;
      const evidence: Evidence = { orgs: orgs.size, memberships: members, enrolled, share, orgsWithGaps: gaps };
      const install = gaps ? fail(`${members - enrolled} membership(s) in ${gaps} organisation(s) without a second factor (${share}% enrolled).`, evidence) : pass(`MFA is enforced at sign-in; ${share}% of ${members} membership(s) enrolled.`, evidence);
      return { install, orgs };
    },
  };

  const rls: CheckDefinition = {
    id: 'rls',
    title: 'Tenant isolation',
    promise: "One organisation can never read another's data: the database itself filters every row by organisation, and the application cannot switch that off.",
    how: 'Lists every table with an org_id column and checks row-level security is enabled and FORCEd with a policy, and that the role the application connects as is neither a superuser, nor allowed to bypass row-level security, nor the owner of any table.',
    intervalSeconds: HOUR,
    async run() {
      const f = await rlsFacts(db.pool);
      const global = new Set<string>(GLOBAL_TABLES);
      const tenant = f.tables.filter((t) => !global.has(t.name));
      const weak = tenant.filter((t) => !t.rowSecurity || !t.force || !t.hasPolicy).map((t) => t.name);
      const evidence: Evidence = { tenantTables: tenant.length, withoutForce: weak, role: f.role, superuser: f.superuser, bypassRls: f.bypassRls, tablesOwned: f.owned };
      if (f.superuser || f.bypassRls) return { install: fail(`The application role ${f.role} is a superuser or may bypass row-level security.`, evidence) };
      if (f.owned.length) return { install: fail(`The application role ${f.role} owns ${f.owned.length} table(s) (${f.owned.slice(0, 5).join(', ')}), so FORCE could be undone.`, evidence) };
      if (weak.length) return { install: fail(`Tenant table(s) without FORCE row-level security and a policy: ${weak.join(', ')}.`, evidence) };
      return { install: pass(`All ${tenant.length} tenant tables FORCE row-level security; role ${f.role} is neither owner nor superuser.`, evidence) };
    },
  };

  const auditChain: CheckDefinition = {
    id: 'audit_chain',
    title: 'Tamper-evident audit log',
    promise: 'Every security-relevant action is written to an append-only, hash-chained log per organisation, and signed checkpoints make any later edit or deletion detectable.',
    how: "Re-computes every organisation's hash chain from the first event, verifies every signed checkpoint with the install's signing key, and checks no event has gone unsigned for longer than two checkpoint intervals.",
    intervalSeconds: HOUR,
    async run() {
      const now = deps.clock();
      const slackMs = 2 * config.auditCheckpointEveryMs + 5 * 60_000;
      let eventsVerified = 0;
      const orgs = await perOrg(async (orgId) => {
        const v = await deps.audit.verify(orgId);
        const cp = await lastSignedCheckpoint(db, orgId);
        eventsVerified += v.eventsChecked;
        const evidence: Evidence = { verified: v.ok, lastCheckpointAt: cp.signedAt?.toISOString() ?? null };
        if (!v.ok) return fail(`The audit chain is broken at event ${v.firstBroken?.seq ?? '?'}: ${v.firstBroken?.detail ?? v.firstBroken?.reason ?? 'unknown'}.`, { ...evidence, brokenAt: v.firstBroken?.seq ?? null, reason: v.firstBroken?.reason ?? null });
        if (cp.firstUnsignedAt && now.getTime() - cp.firstUnsignedAt.getTime() > slackMs) {
          return fail(`Events since ${cp.firstUnsignedAt.toISOString()} are not covered by a signed checkpoint.`, evidence);
        }
        return pass(`Every event verified; last signed checkpoint ${cp.signedAt?.toISOString() ?? 'none yet'}.`, evidence);
      });
      const platform = await deps.audit.verifyPlatform();
      const broken = [...orgs.values()].filter((o) => o.status === 'fail').length;
      const times = [...orgs.values()].map((o) => o.evidence.lastCheckpointAt).filter((x): x is string => typeof x === 'string').sort();
      const evidence: Evidence = {
        orgChains: orgs.size,
        failing: broken,
        eventsVerified: eventsVerified + platform.eventsChecked,
        platformChain: platform.ok ? 'verified' : 'broken',
        lastCheckpointAt: times.at(-1) ?? null,
        oldestLastCheckpointAt: times[0] ?? null,
      };
      if (!platform.ok) return { install: fail(`The platform audit chain is broken at event ${platform.firstBroken?.seq ?? '?'}.`, evidence), orgs };
      if (broken) return { install: fail(`${broken} of ${orgs.size} organisation audit chain(s) fail verification.`, evidence), orgs };
      return { install: pass(`${orgs.size} organisation chain(s) and the platform chain verified; last signed checkpoint ${evidence.lastCheckpointAt ?? 'none yet'}.`, evidence), orgs };
    },
  };

  const backups: CheckDefinition = {
    id: 'backups',
    title: 'Backups and recovery',
    promise: `Encrypted backups at least every ${Math.round(config.backups.maxAgeMs / 3_600_000)} hours (RPO), and a monthly restore drill proves they can be restored (RTO measured).`,
    how: 'Reads the newest encrypted backup recorded by the backup job and the newest restore drill recorded by the drill script; checks their age and the drill result.',
    intervalSeconds: HOUR,
    async run() {
      const now = deps.clock();
      const rpoHours = Math.round(config.backups.maxAgeMs / 3_600_000);
      if (!config.backups.expected) return { install: unknown('Backups are not scheduled on this install (BACKUPS_EXPECTED=false).', { rpoHours }) };
      const [backup, drill] = await Promise.all([latestBackupRun(db.pool), lastRestoreDrill(db.pool)]);
      const evidence: Evidence = {
        rpoHours,
        lastBackupAt: backup?.finishedAt.toISOString() ?? null,
        lastBackupAgeHours: backup ? hoursBetween(now, backup.finishedAt) : null,
        encrypted: backup ? backup.fileName.endsWith('.age') : null,
        lastDrillAt: drill?.finishedAt.toISOString() ?? null,
        lastDrillOk: drill?.ok ?? null,
        rtoSeconds: drill?.restoreSeconds ?? null,
      };
      if (!backup) return { install: fail('No backup has been recorded.', evidence) };
      if (now.getTime() - backup.finishedAt.getTime() > config.backups.maxAgeMs) return { install: fail(`The newest backup is ${String(evidence.lastBackupAgeHours)} hours old (limit ${rpoHours}).`, evidence) };
      if (!backup.fileName.endsWith('.age')) return { install: fail('The newest backup is not encrypted.', evidence) };
      if (!drill) return { install: fail('No restore drill has been recorded.', evidence) };
      if (!drill.ok) return { install: fail(`The last restore drill (${drill.finishedAt.toISOString()}) failed.`, evidence) };
      if (now.getTime() - drill.finishedAt.getTime() > DRILL_MAX_AGE_DAYS * DAY_MS) return { install: fail(`The last restore drill is older than ${DRILL_MAX_AGE_DAYS} days.`, evidence) };
      return { install: pass(`Last encrypted backup ${String(evidence.lastBackupAgeHours)} h ago (RPO ${rpoHours} h); last restore drill passed, restore took ${drill.restoreSeconds} s (RTO).`, evidence) };
    },
  };

  const retention: CheckDefinition = {
    id: 'retention',
    title: 'Data retention',
    promise: "Candidate data is erased automatically once each organisation's retention period after the last decision has passed.",
    how: `Reads each organisation's retention setting and the time of its last retention sweep; a sweep older than ${SWEEP_MAX_AGE_HOURS} hours fails.`,
    intervalSeconds: HOUR,
    async run() {
      const now = deps.clock();
      const orgs = await perOrg(async (orgId) => {
        const [setting, sweep] = await Promise.all([db.withTenant(orgId, (q) => getRetention(q)), lastRetentionSweep(db, orgId)]);
        const evidence: Evidence = { retentionDays: setting.days, lastSweepAt: sweep.lastSweepAt?.toISOString() ?? null };
        const limit = SWEEP_MAX_AGE_HOURS * 3_600_000;
        if (sweep.lastSweepAt && now.getTime() - sweep.lastSweepAt.getTime() <= limit) return pass(`Retention ${setting.days} days; last sweep ${sweep.lastSweepAt.toISOString()}.`, evidence);
        if (!sweep.lastSweepAt && sweep.orgCreatedAt && now.getTime() - sweep.orgCreatedAt.getTime() <= limit) return pass(`Retention ${setting.days} days; first sweep due within a day.`, evidence);
        return fail(sweep.lastSweepAt ? `The last retention sweep was ${hoursBetween(now, sweep.lastSweepAt)} hours ago.` : 'No retention sweep has run.', evidence);
      });
      const days = [...orgs.values()].map((o) => Number(o.evidence.retentionDays));
      const overdue = [...orgs.values()].filter((o) => o.status === 'fail').length;
      const sweeps = [...orgs.values()].map((o) => o.evidence.lastSweepAt).filter((x): x is string => typeof x === 'string').sort();
      const evidence: Evidence = { orgs: orgs.size, minRetentionDays: days.length ? Math.min(...days) : null, maxRetentionDays: days.length ? Math.max(...days) : null, orgsOverdue: overdue, oldestLastSweepAt: sweeps[0] ?? null };
      const install = overdue ? fail(`${overdue} organisation(s) have no retention sweep in the last ${SWEEP_MAX_AGE_HOURS} hours.`, evidence) : pass(`${orgs.size} organisation(s) swept daily; retention ${evidence.minRetentionDays ?? '-'}–${evidence.maxRetentionDays ?? '-'} days.`, evidence);
      return { install, orgs };
    },
  };

  const declared = new Set(config.trust.subprocessors.map((s) => s.toLowerCase()));
  const isDeclared = (s: { name: string; location: string }) => [s.name, s.location, s.location.replace(/:\d+$/, '')].some((n) => declared.has(n.toLowerCase()));
  const subprocessors: CheckDefinition = {
    id: 'subprocessors',
    title: 'Subprocessors',
    promise: 'Candidate data goes only to the subprocessors the operator has declared, and each organisation can see which ones it uses.',
    how: "Derives the subprocessors in use from the running configuration (AI provider, voice interviews, mail relay) and each organisation's settings, and compares them with the declared list (TRUST_SUBPROCESSORS).",
    intervalSeconds: HOUR,
    async run() {
      const orgs = await perOrg(async (orgId) => {
        const f = await deps.docs.facts(orgId);
        const undeclared = f.subprocessors.filter((s) => !isDeclared(s)).map((s) => s.name);
        const evidence: Evidence = { inUse: f.subprocessors.map((s) => ({ name: s.name, purpose: s.purpose, location: s.location })), undeclared };
        if (undeclared.length) return fail(`In use but not declared: ${undeclared.join(', ')}.`, evidence);
        return pass(f.subprocessors.length ? `${f.subprocessors.length} subprocessor(s), all declared.` : 'No subprocessor receives this organisation\'s data.', evidence);
      });
      const inUse = [...new Set([...orgs.values()].flatMap((o) => (o.evidence.inUse as { name: string }[]).map((s) => s.name)))].sort();
      const undeclared = [...new Set([...orgs.values()].flatMap((o) => o.evidence.undeclared as string[]))].sort();
      const evidence: Evidence = { declared: config.trust.subprocessors, inUse, undeclared };
      const install = undeclared.length ? fail(`In use but not declared: ${undeclared.join(', ')}.`, evidence) : pass(inUse.length ? `In use: ${inUse.join(', ')}; all declared.` : 'No subprocessor receives candidate data.', evidence);
      return { install, orgs };
    },
  };

  const ai: CheckDefinition = {
    id: 'ai_settings',
    title: 'AI settings',
    promise: 'The AI provider is told not to store prompts or outputs (store:false), and every model used is pinned to a fixed version so results do not drift silently.',
    how: "Reads the store flag every model request sends, the operator's default model and each organisation's model setting, and checks each names a dated snapshot or explicit version.",
    intervalSeconds: HOUR,
    async run() {
      const simulated = config.aiProvider === 'simulated';
      const defaultModel = config.openai.model;
      const orgs = await perOrg(async (orgId) => {
        const s = await db.withTenant(orgId, (q) => getAiSettings(q));
        const model = s.model ?? defaultModel;
        const evidence: Evidence = { provider: config.aiProvider, model: simulated ? null : model, source: s.model ? 'org setting' : 'operator default', pinned: simulated ? null : isPinnedModel(model), store: PROVIDER_STORE, paused: s.paused };
        if (simulated) return pass('No external model is called (simulated provider); nothing leaves the install.', evidence);
        if (!isPinnedModel(model)) return fail(`Model "${model}" is not pinned to a version.`, evidence);
        return pass(`store:false; model ${model} (pinned).`, evidence);
      });
      const unpinned = [...orgs.values()].filter((o) => o.status === 'fail').length;
      const evidence: Evidence = { provider: config.aiProvider, store: PROVIDER_STORE, defaultModel: simulated ? null : defaultModel, defaultPinned: simulated ? null : isPinnedModel(defaultModel), orgsUnpinned: unpinned };
      let install: Outcome;
      if (simulated) install = pass('No external model is called (simulated provider).', evidence);
      else if (!isPinnedModel(defaultModel)) install = fail(`The default model "${defaultModel}" is not pinned to a version.`, evidence);
      else if (unpinned) install = fail(`${unpinned} organisation(s) use a model not pinned to a version.`, evidence);
      else install = pass(`store:false on every request; default model ${defaultModel} (pinned); every organisation's model pinned.`, evidence);
      return { install, orgs };
    },
  };

  const build: CheckDefinition = {
    id: 'build_audit',
    title: 'Dependencies and secrets of this build',
    promise: 'The running version passed a dependency audit (no high or critical advisories) and a secret scan when it was built.',
    how: 'Reads the build record written into the image at build time (npm audit and secretlint results, version and commit).',
    intervalSeconds: HOUR,
    async run() {
      let info: { version?: unknown; commit?: unknown; builtAt?: unknown; dependencyAudit?: { status?: unknown; summary?: unknown }; secretScan?: { status?: unknown; summary?: unknown } };
      try {
        // eslint-disable-next-line security/detect-non-literal-fs-filename -- the path comes from operator config (HIREBOX_BUILD_INFO_FILE), never from a request
        info = JSON.parse(await readFile(config.trust.buildInfoFile, 'utf8')) as typeof info;
      } catch {
        return { install: unknown('No build record: this version was not built with ops/scripts/build-info.sh, so its audit and secret scan are unknown.') };
      }
      const str = (v: unknown): string | null => (typeof v === 'string' ? v.slice(0, 200) : null);
      const evidence: Evidence = {
        version: str(info.version),
        commit: str(info.commit),
        builtAt: str(info.builtAt),
        dependencyAudit: str(info.dependencyAudit?.status),
        dependencyAuditSummary: str(info.dependencyAudit?.summary),
        secretScan: str(info.secretScan?.status),
        secretScanSummary: str(info.secretScan?.summary),
      };
      const audit = evidence.dependencyAudit;
      const scan = evidence.secretScan;
      if (audit === 'fail' || scan === 'fail') return { install: fail(`Build ${String(evidence.commit)}: ${audit === 'fail' ? 'the dependency audit found high/critical advisories' : 'the secret scan found secrets'}.`, evidence) };
      if (audit !== 'pass' || scan !== 'pass') return { install: unknown(`Build ${String(evidence.commit)}: dependency audit ${audit ?? 'not run'}, secret scan ${scan ?? 'not run'}.`, evidence) };
      return { install: pass(`Build ${String(evidence.commit)} (${String(evidence.builtAt)}): dependency audit and secret scan passed.`, evidence) };
    },
  };

  const securityTxt: CheckDefinition = {
    id: 'security_txt',
    title: 'Vulnerability disclosure',
    promise: 'Security researchers can reach us: a current security.txt names the contact and links the disclosure policy.',
    how: 'Fetches /.well-known/security.txt at the public address and checks it has a Contact, a Policy and an Expires date in the future (at most a year ahead).',
    intervalSeconds: HOUR,
    async run() {
      const now = deps.clock();
      const res = await fetchSelf(selfTarget(), '/.well-known/security.txt').catch((err: Error) => err);
      if (res instanceof Error) return { install: fail(`security.txt could not be fetched: ${res.message}.`) };
      if (res.status !== 200) return { install: fail(`security.txt answered ${res.status}.`, { status: res.status }) };
      const field = (name: string) => res.body.split('\n').filter((l) => l.toLowerCase().startsWith(`${name.toLowerCase()}:`)).map((l) => l.slice(name.length + 1).trim());
      const contact = field('Contact');
      const policy = field('Policy')[0] ?? null;
      const expiresRaw = field('Expires')[0] ?? null;
      const expires = expiresRaw ? new Date(expiresRaw) : null;
      const evidence: Evidence = { contact, policy, expires: expiresRaw };
      if (contact.length === 0) return { install: fail('security.txt names no Contact.', evidence) };
      if (!policy) return { install: fail('security.txt links no disclosure Policy.', evidence) };
      if (!expires || Number.isNaN(expires.getTime()) || expires <= now) return { install: fail(`security.txt has expired (${expiresRaw ?? 'no Expires'}).`, evidence) };
      if (expires.getTime() - now.getTime() > 366 * DAY_MS) return { install: fail('security.txt expires more than a year ahead (RFC 9116 advises less).', evidence) };
      return { install: pass(`Contact ${contact.join(', ')}; policy ${policy}; expires ${expiresRaw}.`, evidence) };
    },
  };

  const bias: CheckDefinition = {
    id: 'bias',
    title: 'Fairness monitoring',
    promise: 'Selection rates are compared across demographic groups (impact ratio, four-fifths rule); groups too small to compare are suppressed, never shown.',
    how: "Builds each organisation's bias report (aggregates only, small cells suppressed) and reports its date and worst impact ratio; any breach of the organisation's threshold fails.",
    intervalSeconds: 24 * HOUR,
    async run() {
      const orgs = await perOrg(async (orgId) => {
        const r = await deps.bias.orgReportForTrust(orgId);
        const ratios = r.dimensions.flatMap((d) => d.categories.flatMap((c) => [c.advanced, c.hired, c.scoring].filter((m) => !m.smallSample && m.impactRatio !== null).map((m) => m.impactRatio as number)));
        const worstRatio = ratios.length ? Math.min(...ratios) : null;
        const evidence: Evidence = { reportAt: r.generatedAt, worstImpactRatio: worstRatio, threshold: r.settings.impactRatioThreshold, breaches: r.breaches.length };
        if (r.breaches.length) return fail(`${r.breaches.length} group(s) below the impact-ratio threshold ${r.settings.impactRatioThreshold} (worst ${String(worstRatio)}).`, evidence);
        return pass(worstRatio === null ? 'No group is large enough to compare yet (small cells suppressed).' : `Worst impact ratio ${worstRatio.toFixed(2)} (threshold ${r.settings.impactRatioThreshold}).`, evidence);
      });
      const breached = [...orgs.values()].filter((o) => o.status === 'fail').length;
      const ratios = [...orgs.values()].map((o) => o.evidence.worstImpactRatio).filter((x): x is number => typeof x === 'number');
      const evidence: Evidence = { orgsReported: orgs.size, orgsWithBreaches: breached, worstImpactRatio: ratios.length ? Math.min(...ratios) : null, reportAt: deps.clock().toISOString() };
      const install = breached ? fail(`${breached} organisation(s) have a group below their impact-ratio threshold.`, evidence) : pass(`${orgs.size} organisation report(s); no threshold breached${ratios.length ? `; worst impact ratio ${Math.min(...ratios).toFixed(2)}` : ''}.`, evidence);
      return { install, orgs };
    },
  };

  return [tls, ports, mfa, rls, auditChain, backups, retention, subprocessors, ai, build, securityTxt, bias];
}

/** Worst status of a set of outcomes (exported for the per-org summary). */
export const worstStatus = worst;
