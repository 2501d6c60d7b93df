// One typed, validated configuration object built from env and secret files.
// Nothing else in the codebase reads process.env.
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { generateKeyPairSync, randomBytes, createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { isIP } from 'node:net';
import { availableParallelism } from 'node:os';
import path from 'node:path';

export type NodeEnv = 'production' | 'development' | 'test';
export type AiProvider = 'openai' | 'simulated';

/** A secret value that never prints: JSON, util.inspect and String() all redact it. */
export class Secret<T = string> {
  readonly #value: T;
  constructor(value: T) {
    this.#value = value;
  }
  reveal(): T {
    return this.#value;
  }
  toJSON(): string {
    return '[redacted]';
  }
  toString(): string {
    return '[redacted]';
  }
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return '[redacted]';
  }
}

/**
 * A secret only some commands need, left unset: reading it fails with the one line that
 * says what to set. The owner role's URL is one: only `migrate` and `keys rotate|status`
 * use it, so the app and worker containers run without ever holding it.
 */
class MissingSecret extends Secret {
  readonly #problem: string;
  constructor(problem: string) {
    super('');
    this.#problem = problem;
  }
  override reveal(): string {
    throw new ConfigError([this.#problem]);
  }
}

export interface Config {
  nodeEnv: NodeEnv;
  host: string;
  port: number;
  publicUrl: URL;
  publicOrigin: string;
  databaseUrl: Secret;
  migrationDatabaseUrl: Secret;
  redisUrl: Secret;
  redisPrefix: string;
  masterKey: Secret<Buffer>;
  /** MASTER_KEY_PREVIOUS_FILES: retired master keys kept only to unwrap org keys not yet re-wrapped (`hirebox keys rotate`). */
  previousMasterKeys: Secret<Buffer[]>;
  auditSigningKey: Secret<KeyObject>;
  /** AUDIT_SIGNING_PREVIOUS_PUBLIC_KEY_FILES: public keys of retired signing keys, so old checkpoints still verify. */
  auditPreviousPublicKeys: KeyObject[];
  aiProvider: AiProvider;
  openai: { apiKey: Secret | null; baseUrl: string | null; model: string };
  vapi: { apiKey: Secret | null; baseUrl: string; publicKey: string | null; /** The voice assistant's language model (issue 18); orgs may override it. */ assistantModel: { provider: string; model: string } };
  smtpUrl: Secret | null;
  mailFrom: string;
  trustProxy: boolean | string[];
  auditCheckpointEveryMs: number;
  /** DESIGN §9: the worker raises stale_backup when expected and the newest recorded backup is older than maxAgeMs. */
  backups: { expected: boolean; maxAgeMs: number };
  /** RFC 9116 fields of /.well-known/security.txt; expires null means one year after each request. */
  securityTxt: SecurityTxtConfig;
  /** issue 14 (M1): public intake limits (apply rates per job and per org, the CV page cap, parses per org at a time). */
  intake: IntakeConfig;
  /**
   * WORKER_NICE (0-19, default 10): the worker's CPU priority below the app's. Its work (CV
   * parsing, screening, mail) is batch work; on a small server the app, which members are
   * waiting on, goes first (issue 19 floods). 0 leaves it equal.
   */
  workerNice: number;
  /**
   * WORKER_DB_POOL_MAX (2-100): Postgres connections a worker process keeps at most. Default:
   * twice the cores the process sees, plus one (the usual sizing for a database on the same
   * few cores). On 2 cores that is 5: the worker's jobs hold a connection for a few
   * milliseconds each, and more backends running at once only take CPU from each other
   * (issue 19: 2 worker processes x 20 screenings, median 0.895x with 10 connections each,
   * 0.91x with 5, 0.885x with 20).
   */
  workerDbPoolMax: number;
  /** issue 19 floods: the app's argon2 budget (auth/passwords.ts createPasswordHasher). */
  passwordHashing: PasswordHashingConfig;
  logLevel: string;
  dataDir: string;
  /** issue 14 M3: OUTBOUND_ALLOW_LOOPBACK lets tenant-set URLs (alert webhooks, SSO issuers) reach 127/8 and ::1; development and tests only. */
  outbound: { allowLoopback: boolean };
  /** Append-only erasure ledger outside the database (server/core/erasure-ledger.ts); survives a restore. */
  erasureLedgerFile: string;
  /** Issue 19: the worker's queue reconciler (worker/reconcile.ts): how often it runs and how old unfinished work must be before it is re-offered. */
  reconcile: { everyMs: number; graceSeconds: number };
  /** issue 23: what the trust page's checks compare against (TRUST_* keys, HIREBOX_BUILD_INFO_FILE). */
  trust: TrustConfig;
  /** issue 19: Prometheus metrics on an internal listener (off when the port is null); never on the public port. */
  metrics: MetricsConfig;
}

export interface MetricsConfig {
  /** METRICS_HOST: an IP address, or a name resolving to one of this host's addresses (a compose network alias); default 127.0.0.1. */
  host: string;
  /** METRICS_PORT: the app's metrics listener; null = off. */
  appPort: number | null;
  /** WORKER_METRICS_PORT: the worker's metrics listener; null = off. */
  workerPort: number | null;
  /** METRICS_TOKEN(_FILE): bearer token a scraper must send; null = none. */
  token: Secret | null;
}

/** Thrown with one human-readable line per problem. */
export class ConfigError extends Error {
  readonly problems: string[];
  constructor(problems: string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.problems = problems;
  }
}

type Env = Record<string, string | undefined>;

export interface LoadConfigOptions {
  /** Directory for generated development keys; defaults to ./.data under cwd. */
  dataDir?: string;
}

// Keys that are key material: production insists they come from files.
const FILE_ONLY_IN_PRODUCTION = ['MASTER_KEY', 'AUDIT_SIGNING_KEY'] as const;

export function loadConfig(env: Env = process.env, options: LoadConfigOptions = {}): Config {
  const problems: string[] = [];
  const nodeEnv = parseNodeEnv(env.NODE_ENV, problems);
  const isProd = nodeEnv === 'production';
  const dataDir = path.resolve(env.HIREBOX_DATA_DIR ?? options.dataDir ?? '.data');

  /** Reads X or X_FILE (X_FILE wins if both are set, which is itself reported). */
  const secretValue = (name: string): string | undefined => {
    const inline = env[name];
    const file = env[`${name}_FILE`];
    if (inline !== undefined && inline !== '' && file) {
      problems.push(`${name} and ${name}_FILE are both set; set only one`);
    }
    if (file) {
      try {
        return readFileSync(file, 'utf8').trim();
      } catch {
        problems.push(`${name}_FILE: cannot read ${file}`);
        return undefined;
      }
    }
    return inline === '' ? undefined : inline;
  };

  const host = env.HOST ?? '127.0.0.1';
  const port = parsePort(env.PORT ?? '3000', problems);
  const publicUrl = parseUrl('PUBLIC_URL', env.PUBLIC_URL ?? 'http://localhost:3000', ['http:', 'https:'], problems);
  if (isProd && publicUrl && publicUrl.protocol !== 'https:') {
    problems.push('PUBLIC_URL must be an https:// URL in production');
  }

  const databaseUrl = secretValue('DATABASE_URL') ?? (isProd ? undefined : 'postgres://hirebox_app@127.0.0.1:5432/hirebox');
  const migrationDatabaseUrl =
    secretValue('MIGRATION_DATABASE_URL') ?? (isProd ? undefined : 'postgres://postgres@127.0.0.1:5432/hirebox');
  const redisUrl = secretValue('REDIS_URL') ?? (isProd ? undefined : 'redis://127.0.0.1:6379');
  if (!databaseUrl) problems.push('DATABASE_URL (or DATABASE_URL_FILE) is required');
  else parseUrl('DATABASE_URL', databaseUrl, ['postgres:', 'postgresql:'], problems);
  if (migrationDatabaseUrl) parseUrl('MIGRATION_DATABASE_URL', migrationDatabaseUrl, ['postgres:', 'postgresql:'], problems);
  if (!redisUrl) problems.push('REDIS_URL (or REDIS_URL_FILE) is required');
  else parseUrl('REDIS_URL', redisUrl, ['redis:', 'rediss:'], problems);

  const redisPrefix = env.REDIS_PREFIX ?? 'hirebox';
  if (!/^[a-z0-9][a-z0-9:_-]{0,63}$/i.test(redisPrefix)) problems.push('REDIS_PREFIX must be 1-64 letters, digits, ":", "_" or "-"');

  if (isProd) {
    for (const name of FILE_ONLY_IN_PRODUCTION) {
      if (env[name] !== undefined) problems.push(`${name} must not be given inline in production; use ${name}_FILE`);
      if (!env[`${name}_FILE`]) problems.push(`${name}_FILE is required in production`);
    }
  }
  const masterKey = loadMasterKey(env, nodeEnv, dataDir, problems);
  const previousMasterKeys = loadPreviousMasterKeys(env.MASTER_KEY_PREVIOUS_FILES, masterKey, problems);
  const auditSigningKey = loadAuditSigningKey(env, nodeEnv, dataDir, problems);
  const auditPreviousPublicKeys = loadPreviousPublicKeys(env.AUDIT_SIGNING_PREVIOUS_PUBLIC_KEY_FILES, problems);

  const aiProvider = (env.AI_PROVIDER ?? (isProd ? 'openai' : 'simulated')) as AiProvider;
  if (aiProvider !== 'openai' && aiProvider !== 'simulated') {
    problems.push(`AI_PROVIDER must be "openai" or "simulated", got "${String(env.AI_PROVIDER)}"`);
  }
  if (isProd && aiProvider === 'simulated') problems.push('AI_PROVIDER=simulated is refused in production');
  const openaiKey = secretValue('OPENAI_API_KEY');
  if (aiProvider === 'openai' && !openaiKey) problems.push('OPENAI_API_KEY (or OPENAI_API_KEY_FILE) is required when AI_PROVIDER=openai');
  const openaiBaseUrl = env.OPENAI_BASE_URL ?? null;
  if (openaiBaseUrl) parseUrl('OPENAI_BASE_URL', openaiBaseUrl, ['http:', 'https:'], problems);
  const vapiKey = secretValue('VAPI_API_KEY');
  const vapiBaseUrl = env.VAPI_BASE_URL ?? 'https://api.vapi.ai';
  parseUrl('VAPI_BASE_URL', vapiBaseUrl, ['http:', 'https:'], problems);
  const assistantModel = { provider: env.VAPI_ASSISTANT_MODEL_PROVIDER ?? 'openai', model: env.VAPI_ASSISTANT_MODEL ?? 'gpt-4o' };
  if (!/^[a-z0-9][a-z0-9-]{0,39}$/.test(assistantModel.provider)) problems.push('VAPI_ASSISTANT_MODEL_PROVIDER must be a Vapi model provider name such as openai');
  if (!/^[A-Za-z0-9][A-Za-z0-9._:/-]{0,99}$/.test(assistantModel.model)) problems.push('VAPI_ASSISTANT_MODEL must be a model name such as gpt-4o');

  const smtpUrl = secretValue('SMTP_URL');
  if (smtpUrl) parseUrl('SMTP_URL', smtpUrl, ['smtp:', 'smtps:'], problems);
  const mailFrom = env.MAIL_FROM ?? 'hirebox <no-reply@localhost>';

  const trustProxy = parseTrustProxy(env.TRUST_PROXY ?? 'false', problems);
  const checkpointMinutes = Number(env.AUDIT_CHECKPOINT_EVERY_MINUTES ?? '15');
  if (!Number.isInteger(checkpointMinutes) || checkpointMinutes < 1 || checkpointMinutes > 1440) {
    problems.push('AUDIT_CHECKPOINT_EVERY_MINUTES must be an integer from 1 to 1440');
  }
  const backups = parseBackups(env, isProd, problems);
  const securityTxt = parseSecurityTxt(env, publicUrl, problems);
  const intake = parseIntake(env, problems);
  const workerDbPoolMax = Number(env.WORKER_DB_POOL_MAX ?? String(2 * availableParallelism() + 1));
  if (!Number.isInteger(workerDbPoolMax) || workerDbPoolMax < 2 || workerDbPoolMax > 100) problems.push('WORKER_DB_POOL_MAX must be an integer from 2 to 100');
  const workerNice = Number(env.WORKER_NICE ?? '10');
  if (!Number.isInteger(workerNice) || workerNice < 0 || workerNice > 19) problems.push('WORKER_NICE must be an integer from 0 to 19');
  const passwordHashing = parsePasswordHashing(env, problems);
  const reconcileEvery = Number(env.RECONCILE_EVERY_SECONDS ?? '60');
  if (!Number.isInteger(reconcileEvery) || reconcileEvery < 1 || reconcileEvery > 3600) problems.push('RECONCILE_EVERY_SECONDS must be an integer from 1 to 3600');
  const reconcileGrace = Number(env.RECONCILE_GRACE_SECONDS ?? '300');
  if (!Number.isInteger(reconcileGrace) || reconcileGrace < 0 || reconcileGrace > 86_400) problems.push('RECONCILE_GRACE_SECONDS must be an integer from 0 to 86400');
  const logLevel = env.LOG_LEVEL ?? (nodeEnv === 'test' ? 'warn' : 'info');
  if (!['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].includes(logLevel)) {
    problems.push('LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent');
  }

  const allowLoopback = env.OUTBOUND_ALLOW_LOOPBACK ?? 'false';
  if (allowLoopback !== 'true' && allowLoopback !== 'false') problems.push('OUTBOUND_ALLOW_LOOPBACK must be true or false');
  if (isProd && allowLoopback === 'true') problems.push('OUTBOUND_ALLOW_LOOPBACK=true is refused in production');

  const metrics = parseMetrics(env, port, secretValue('METRICS_TOKEN'), problems);
  const trust = parseTrust(env, problems);

  if (problems.length > 0 || !publicUrl || !masterKey || !auditSigningKey) throw new ConfigError(problems);
  return {
    nodeEnv,
    host,
    port,
    publicUrl,
    publicOrigin: publicUrl.origin,
    databaseUrl: new Secret(databaseUrl as string),
    migrationDatabaseUrl: migrationDatabaseUrl
      ? new Secret(migrationDatabaseUrl)
      : new MissingSecret('MIGRATION_DATABASE_URL (or MIGRATION_DATABASE_URL_FILE) is required for this command (the database owner role)'),
    redisUrl: new Secret(redisUrl as string),
    redisPrefix,
    masterKey: new Secret(masterKey),
    previousMasterKeys: new Secret(previousMasterKeys),
    auditSigningKey: new Secret(auditSigningKey),
    auditPreviousPublicKeys,
    aiProvider,
    openai: { apiKey: openaiKey ? new Secret(openaiKey) : null, baseUrl: openaiBaseUrl, model: env.OPENAI_MODEL ?? 'gpt-4o-mini' },
    vapi: { apiKey: vapiKey ? new Secret(vapiKey) : null, baseUrl: vapiBaseUrl, publicKey: env.VAPI_PUBLIC_KEY ?? null, assistantModel },
    smtpUrl: smtpUrl ? new Secret(smtpUrl) : null,
    mailFrom,
    trustProxy,
    auditCheckpointEveryMs: checkpointMinutes * 60_000,
    backups,
    securityTxt,
    intake,
    workerNice,
    workerDbPoolMax,
    passwordHashing,
    logLevel,
    dataDir,
    outbound: { allowLoopback: allowLoopback === 'true' },
    erasureLedgerFile: path.resolve(env.ERASURE_LEDGER_PATH ?? path.join(dataDir, 'erasure-ledger.jsonl')),
    metrics,
    trust,
    reconcile: { everyMs: reconcileEvery * 1_000, graceSeconds: reconcileGrace },
  };
}

function parseMetrics(env: Env, publicPort: number, token: string | undefined, problems: string[]): MetricsConfig {
  const port = (name: string): number | null => {
    const v = env[name];
    if (v === undefined || v === '') return null;
    const n = Number(v);
    if (!Number.isInteger(n) || n < 1 || n > 65535) {
      problems.push(`${name} must be an integer from 1 to 65535, got "${v}"`);
      return null;
    }
    if (n === publicPort) problems.push(`${name} must differ from PORT: metrics are never served on the public listener`);
    return n;
  };
  const host = env.METRICS_HOST ?? '127.0.0.1';
  if (isIP(host) === 0 && (!/^[a-z0-9.-]{1,253}$/i.test(host) || host.startsWith('.') || host.startsWith('-'))) problems.push('METRICS_HOST must be an IP address or a host name');
  if (token !== undefined && token.length < 16) problems.push('METRICS_TOKEN must be at least 16 characters');
  return { host, appPort: port('METRICS_PORT'), workerPort: port('WORKER_METRICS_PORT'), token: token ? new Secret(token) : null };
}

function parseNodeEnv(value: string | undefined, problems: string[]): NodeEnv {
  const v = value ?? 'development';
  if (v === 'production' || v === 'development' || v === 'test') return v;
  problems.push(`NODE_ENV must be production, development or test, got "${v}"`);
  return 'development';
}

function parsePort(value: string, problems: string[]): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) {
    problems.push(`PORT must be an integer from 0 to 65535, got "${value}"`);
    return 0;
  }
  return n;
}

function parseUrl(name: string, value: string, protocols: string[], problems: string[]): URL | null {
  try {
    const url = new URL(value);
    if (!protocols.includes(url.protocol)) {
      problems.push(`${name} must use ${protocols.join(' or ')}`);
      return null;
    }
    return url;
  } catch {
    // The value may hold a password: never echo it.
    problems.push(`${name} is not a valid URL`);
    return null;
  }
}

function parseTrustProxy(value: string, problems: string[]): boolean | string[] {
  if (value === 'false' || value === '') return false;
  if (value === 'true') return true;
  const entries = value.split(',').map((s) => s.trim()).filter(Boolean);
  for (const entry of entries) {
    const [addr, bits] = entry.split('/');
    if (!addr || isIP(addr) === 0 || (bits !== undefined && !/^\d{1,3}$/.test(bits))) {
      problems.push(`TRUST_PROXY entry "${entry}" is not an IP address or CIDR`);
    }
  }
  return entries;
}

/** Development and test generate missing keys once under dataDir (mode 0600). */
function ensureDevFile(dataDir: string, name: string, create: () => string | Buffer): string {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const file = path.join(dataDir, name);
  if (!existsSync(file)) {
    writeFileSync(file, create(), { mode: 0o600, flag: 'wx' });
    chmodSync(file, 0o600);
  }
  return file;
}

function keyFilePath(env: Env, name: string, nodeEnv: NodeEnv, dataDir: string, devName: string, create: () => string | Buffer): string | null {
  const fromEnv = env[`${name}_FILE`];
  if (fromEnv) return fromEnv;
  if (nodeEnv === 'production') return null;
  return ensureDevFile(dataDir, devName, create);
}

function loadMasterKey(env: Env, nodeEnv: NodeEnv, dataDir: string, problems: string[]): Buffer | null {
  const file = keyFilePath(env, 'MASTER_KEY', nodeEnv, dataDir, 'master.key', () => randomBytes(32).toString('base64') + '\n');
  if (!file) return null;
  let raw: Buffer;
  try {
    raw = readFileSync(file);
  } catch {
    problems.push(`MASTER_KEY_FILE: cannot read ${file}`);
    return null;
  }
  // Accept 32 raw bytes or base64 text of 32 bytes.
  if (raw.length === 32) return raw;
  const decoded = Buffer.from(raw.toString('utf8').trim(), 'base64');
  if (decoded.length === 32) return decoded;
  problems.push(`MASTER_KEY_FILE must hold 32 bytes (raw or base64); ${file} does not`);
  return null;
}

/** Paths of a comma-separated *_FILES list (blank entries ignored). */
function fileList(value: string | undefined): string[] {
  return (value ?? '').split(',').map((s) => s.trim()).filter(Boolean);
}

// Previous master keys only unwrap org keys not yet re-wrapped by `hirebox keys rotate`.
// Each must be readable and 32 bytes, like MASTER_KEY_FILE: a typo here would otherwise
// surface only when some org's data fails to open.
function loadPreviousMasterKeys(value: string | undefined, current: Buffer | null, problems: string[]): Buffer[] {
  const keys: Buffer[] = [];
  for (const file of fileList(value)) {
    let raw: Buffer;
    try {
      raw = readFileSync(file);
    } catch {
      problems.push(`MASTER_KEY_PREVIOUS_FILES: cannot read ${file}`);
      continue;
    }
    const decoded = raw.length === 32 ? raw : Buffer.from(raw.toString('utf8').trim(), 'base64');
    if (decoded.length !== 32) {
      problems.push(`MASTER_KEY_PREVIOUS_FILES: ${file} must hold 32 bytes (raw or base64)`);
      continue;
    }
    // The current key listed again as previous is harmless (the keyring de-duplicates).
    if (!current || !decoded.equals(current)) keys.push(decoded);
  }
  return keys;
}

// Checkpoints record the id of the key that signed them; after the signing key is rotated,
// the retired public keys let `hirebox audit verify` still check the old checkpoints.
function loadPreviousPublicKeys(value: string | undefined, problems: string[]): KeyObject[] {
  const keys: KeyObject[] = [];
  for (const file of fileList(value)) {
    try {
      const key = createPublicKey(readFileSync(file));
      if (key.asymmetricKeyType !== 'ed25519') {
        problems.push(`AUDIT_SIGNING_PREVIOUS_PUBLIC_KEY_FILES: ${file} is not an Ed25519 key`);
        continue;
      }
      keys.push(key);
    } catch {
      problems.push(`AUDIT_SIGNING_PREVIOUS_PUBLIC_KEY_FILES: cannot read an Ed25519 public key (PEM) from ${file}`);
    }
  }
  return keys;
}

function loadAuditSigningKey(env: Env, nodeEnv: NodeEnv, dataDir: string, problems: string[]): KeyObject | null {
  const file = keyFilePath(env, 'AUDIT_SIGNING_KEY', nodeEnv, dataDir, 'audit-signing.pem', () =>
    generateKeyPairSync('ed25519').privateKey.export({ format: 'pem', type: 'pkcs8' }),
  );
  if (!file) return null;
  try {
    const key = createPrivateKey(readFileSync(file));
    if (key.asymmetricKeyType !== 'ed25519') {
      problems.push(`AUDIT_SIGNING_KEY_FILE must be an Ed25519 private key (PEM); ${file} is ${String(key.asymmetricKeyType)}`);
      return null;
    }
    return key;
  } catch {
    problems.push(`AUDIT_SIGNING_KEY_FILE: cannot read an Ed25519 private key (PEM) from ${file}`);
    return null;
  }
}

export interface SecurityTxtConfig {
  /** Contact URIs (mailto:, https:), in order of preference. */
  contact: string[];
  expires: Date | null;
  policyUrl: string;
  languages: string;
}

function parseBackups(env: Env, isProd: boolean, problems: string[]): Config['backups'] {
  const raw = env.BACKUPS_EXPECTED ?? (isProd ? 'true' : 'false');
  if (raw !== 'true' && raw !== 'false') problems.push('BACKUPS_EXPECTED must be true or false');
  const hours = Number(env.BACKUP_MAX_AGE_HOURS ?? '26');
  if (!Number.isInteger(hours) || hours < 1 || hours > 24 * 90) problems.push('BACKUP_MAX_AGE_HOURS must be an integer from 1 to 2160');
  return { expected: raw === 'true', maxAgeMs: hours * 3_600_000 };
}

export interface IntakeConfig {
  applyPerJobPerHour: number;
  applyPerOrgPerHour: number;
  /** APPLY_BURST_PER_JOB_MINUTE; unset or empty = a twelfth of the hourly rate, at least 10 (public/limits.ts burstLimit). */
  applyPerJobPerMinute: number | null;
  cvMaxPages: number;
  cvParsePerOrg: number;
}

export interface PasswordHashingConfig {
  /** PASSWORD_HASH_CPU_SHARE: share of one core argon2 may take; the budget is calibrated from one hash at start-up. */
  cpuShare: number;
  /** PASSWORD_HASH_MIN_PER_SECOND: the budget never falls below this, so a small team can always sign in. */
  minPerSecond: number;
  /** PASSWORD_HASHES_PER_SECOND: a fixed budget instead of the calibrated one; null = calibrate. */
  perSecond: number | null;
}

function parsePasswordHashing(env: Env, problems: string[]): PasswordHashingConfig {
  const share = Number(env.PASSWORD_HASH_CPU_SHARE ?? '0.25');
  if (!Number.isFinite(share) || share < 0.01 || share > 64) problems.push('PASSWORD_HASH_CPU_SHARE must be a number from 0.01 to 64 (cores)');
  const min = Number(env.PASSWORD_HASH_MIN_PER_SECOND ?? '2');
  if (!Number.isInteger(min) || min < 1 || min > 10_000) problems.push('PASSWORD_HASH_MIN_PER_SECOND must be an integer from 1 to 10000');
  const fixed = env.PASSWORD_HASHES_PER_SECOND ?? '';
  const perSecond = fixed === '' ? null : Number(fixed);
  if (perSecond !== null && (!Number.isInteger(perSecond) || perSecond < 1 || perSecond > 100_000)) problems.push('PASSWORD_HASHES_PER_SECOND must be empty or an integer from 1 to 100000');
  return { cpuShare: share, minPerSecond: min, perSecond };
}

function parseIntake(env: Env, problems: string[]): IntakeConfig {
  const int = (name: string, fallback: number, min: number, max: number): number => {
    const v = Number(env[name] ?? String(fallback));
    if (!Number.isInteger(v) || v < min || v > max) problems.push(`${name} must be an integer from ${min} to ${max}`);
    return v;
  };
  return {
    applyPerJobPerHour: int('APPLY_RATE_PER_JOB_HOUR', 120, 1, 100_000),
    applyPerOrgPerHour: int('APPLY_RATE_PER_ORG_HOUR', 600, 1, 1_000_000),
    applyPerJobPerMinute: (env.APPLY_BURST_PER_JOB_MINUTE ?? '') === '' ? null : int('APPLY_BURST_PER_JOB_MINUTE', 10, 1, 100_000),
    cvMaxPages: int('CV_MAX_PAGES', 50, 1, 2_000),
    cvParsePerOrg: int('CV_PARSE_PER_ORG', 1, 1, 64),
  };
}

function parseSecurityTxt(env: Env, publicUrl: URL | null, problems: string[]): SecurityTxtConfig {
  const host = publicUrl?.hostname ?? 'localhost';
  const contact = (env.SECURITY_CONTACT ?? `mailto:security@${host}`)
    .split(',')
    .map((c) => c.trim())
    .filter(Boolean);
  for (const c of contact) {
    // A field value is one line: no CR/LF, and a URI scheme security.txt readers understand.
    if (!/^(mailto:[^\s@]+@[^\s@]+|https:\/\/\S+|tel:\+?[0-9-]+)$/.test(c)) problems.push(`SECURITY_CONTACT entry "${c}" must be a mailto:, https:// or tel: URI`);
  }
  if (contact.length === 0) problems.push('SECURITY_CONTACT must name at least one contact');
  let expires: Date | null = null;
  if (env.SECURITY_TXT_EXPIRES) {
    expires = new Date(env.SECURITY_TXT_EXPIRES);
    if (Number.isNaN(expires.getTime())) problems.push('SECURITY_TXT_EXPIRES must be an ISO 8601 date-time, e.g. 2027-06-30T00:00:00Z');
  }
  const policyUrl = env.SECURITY_POLICY_URL ?? (publicUrl ? new URL('/security/disclosure', publicUrl).toString() : '');
  if (env.SECURITY_POLICY_URL) parseUrl('SECURITY_POLICY_URL', policyUrl, ['https:', 'http:'], problems);
  const languages = env.SECURITY_TXT_LANGUAGES ?? 'en';
  if (!languages.split(',').every((tag) => /^[A-Za-z][A-Za-z0-9-]{1,34}$/.test(tag.trim()))) problems.push('SECURITY_TXT_LANGUAGES must be a comma-separated list of language tags, e.g. "en, de"');
  return { contact, expires, policyUrl, languages };
}

export interface TrustConfig {
  /** TRUST_SUBPROCESSORS: the subprocessors the operator has declared (names or hosts); any other one in use fails the line. */
  subprocessors: string[];
  /** TRUST_SELF_CONNECT: host[:port] to dial for PUBLIC_URL (e.g. the Caddy service) while SNI and Host stay PUBLIC_URL's; null dials PUBLIC_URL itself. */
  selfConnect: { host: string; port: number | null } | null;
  /** TRUST_SELF_CA_FILE: an extra CA (PEM) that signs PUBLIC_URL's certificate (Caddy's internal CA); null uses the system store. */
  selfCaFile: string | null;
  /** TRUST_FIREWALL_LISTING_FILE: `nft list ruleset` as written by the playbook; null means the ports line is unknown. */
  firewallListingFile: string | null;
  /** TRUST_EXPECTED_PORTS: the only ports that may be open, as proto/port. */
  expectedPorts: string[];
  /** HIREBOX_BUILD_INFO_FILE: dependency audit and secret scan recorded at build time (ops/scripts/build-info.sh). */
  buildInfoFile: string;
}

function parseTrust(env: Env, problems: string[]): TrustConfig {
  const list = (v: string | undefined): string[] => (v ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  const subprocessors = list(env.TRUST_SUBPROCESSORS);
  if (subprocessors.some((s) => s.length > 100 || /[\r\n]/.test(s))) problems.push('TRUST_SUBPROCESSORS entries must be names or hosts of at most 100 characters');
  let selfConnect: TrustConfig['selfConnect'] = null;
  if (env.TRUST_SELF_CONNECT) {
    const raw = env.TRUST_SELF_CONNECT;
    const colon = raw.lastIndexOf(':');
    const hasPort = colon > 0 && !raw.endsWith(']') && /^\d{1,5}$/.test(raw.slice(colon + 1));
    const host = (hasPort ? raw.slice(0, colon) : raw).replace(/^\[|\]$/g, '');
    const port = hasPort ? Number(raw.slice(colon + 1)) : null;
    if ((!/^[A-Za-z0-9.-]{1,253}$/.test(host) && isIP(host) === 0) || (port !== null && (port < 1 || port > 65535))) problems.push('TRUST_SELF_CONNECT must be host or host:port');
    else selfConnect = { host, port };
  }
  const expectedPorts = list(env.TRUST_EXPECTED_PORTS ?? 'tcp/22,tcp/443,udp/443');
  for (const p of expectedPorts) {
    const m = /^(tcp|udp)\/(\d{1,5})$/.exec(p);
    if (!m || Number(m[2]) < 1 || Number(m[2]) > 65535) problems.push(`TRUST_EXPECTED_PORTS entry "${p}" must be tcp/PORT or udp/PORT`);
  }
  return {
    subprocessors,
    selfConnect,
    selfCaFile: env.TRUST_SELF_CA_FILE || null,
    firewallListingFile: env.TRUST_FIREWALL_LISTING_FILE || null,
    expectedPorts,
    buildInfoFile: path.resolve(env.HIREBOX_BUILD_INFO_FILE ?? 'dist/build-info.json'),
  };
}
