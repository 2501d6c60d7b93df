// Append-only, hash-chained audit log (DESIGN §6).
//
// Each org has one chain: event n stores prev_hash = hash(n-1) and
// hash = sha256(prev_hash || canonical_json(event)). The chain starts from a genesis
// hash derived from the org id, so rows moved between orgs break it. Writers lock the
// org's audit_heads row, so concurrent writers queue up per org in the database (not in
// process memory) and any number of app/worker processes keep one unbroken chain.
// One more chain, the platform chain (tables platform_audit_*, migration 0032), holds
// events that concern no single org; it is written, signed and verified by the same code.
import { AsyncLocalStorage } from 'node:async_hooks';
import { createHash, createPublicKey, randomUUID, sign, verify, type KeyObject } from 'node:crypto';
import { canonicalJson, type Json } from './canonical-json.js';
import type { Db, Queryable } from './db.js';

export type ActorType = 'user' | 'system' | 'candidate' | 'anonymous' | 'token';

/**
 * Set (by server/plugins/access.ts) while a request authenticated by an API token runs.
 * Services record their events as the member (ctx.userId); while this is set, events
 * whose actor is the token's owner are attributed to the token instead (actor 'token',
 * the token id, the owner in metadata), so every use of a token shows in the audit log
 * without every service having to know about tokens.
 */
export const tokenActor = new AsyncLocalStorage<{ tokenId: string; ownerUserId: string }>();

function attributed(input: AuditEventInput): AuditEventInput {
  const token = tokenActor.getStore();
  if (!token || input.actor.type !== 'user' || input.actor.id !== token.ownerUserId) return input;
  return { ...input, actor: { type: 'token', id: token.tokenId }, metadata: { ...input.metadata, tokenOwnerUserId: token.ownerUserId } };
}

export interface AuditEventInput {
  action: string;
  actor: { type: ActorType; id?: string | null };
  target?: { type: string; id: string } | null;
  metadata?: Record<string, Json | undefined>;
  requestId?: string | null;
}

export interface StoredAuditEvent {
  id: string;
  orgId: string;
  seq: number;
  occurredAt: string;
  actorType: ActorType;
  actorId: string | null;
  action: string;
  targetType: string | null;
  targetId: string | null;
  metadata: Record<string, Json>;
  requestId: string | null;
  prevHash: string;
  hash: string;
}

export interface BrokenLink {
  seq: number;
  eventId: string | null;
  reason:
    | 'hash_mismatch'
    | 'prev_hash_mismatch'
    | 'missing_event'
    | 'head_mismatch'
    | 'checkpoint_mismatch'
    | 'checkpoint_signature_invalid'
    | 'checkpoint_unknown_key';
  detail: string;
}

export interface VerifyResult {
  orgId: string;
  ok: boolean;
  eventsChecked: number;
  checkpointsChecked: number;
  lastSeq: number;
  lastHash: string;
  firstBroken: BrokenLink | null;
}

/**
 * The id of the platform chain: events that concern no single org (a failed sign-in
 * before an org is chosen, an operator's action on an account). It stands where an org
 * id stands in an org chain (genesis, hashed body, checkpoint message) and can never be
 * mistaken for one, since org ids are uuids.
 */
export const PLATFORM_CHAIN = 'platform';

/** Where a chain lives: the org chain tables keyed by org_id, or the platform tables keyed by chain. */
interface ChainStore {
  id: string;
  events: string;
  heads: string;
  checkpoints: string;
  key: 'org_id' | 'chain';
}

function orgStore(orgId: string): ChainStore {
  return { id: orgId, events: 'audit_events', heads: 'audit_heads', checkpoints: 'audit_checkpoints', key: 'org_id' };
}

const PLATFORM_STORE: ChainStore = { id: PLATFORM_CHAIN, events: 'platform_audit_events', heads: 'platform_audit_heads', checkpoints: 'platform_audit_checkpoints', key: 'chain' };

/** EVENT_COLUMNS of a store (the platform tables call the chain column `chain`). */
function eventColumns(store: ChainStore): string {
  return store.key === 'org_id' ? EVENT_COLUMNS : EVENT_COLUMNS.replace('org_id', 'chain AS org_id');
}

export function genesisHash(orgId: string): string {
  return sha256Hex(`hirebox-audit-genesis:${orgId}`);
}

function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** The hashed form of an event: everything but the hashes themselves. */
function hashedBody(e: Omit<StoredAuditEvent, 'prevHash' | 'hash' | 'seq'> & { seq: number | string }): Json {
  return {
    v: 1,
    id: e.id,
    orgId: e.orgId,
    seq: e.seq,
    occurredAt: e.occurredAt,
    actorType: e.actorType,
    actorId: e.actorId,
    action: e.action,
    targetType: e.targetType,
    targetId: e.targetId,
    metadata: e.metadata,
    requestId: e.requestId,
  };
}

export function eventHash(prevHash: string, e: Omit<StoredAuditEvent, 'prevHash' | 'hash'>): string {
  return sha256Hex(prevHash + canonicalJson(hashedBody(e)));
}

/**
 * The canonical body of an event whose seq is not known yet, in the two pieces around it:
 * eventHash(prev, e) = sha256(prev + before + seq + after). The seq is stood in for by a
 * fresh random string, which occurs nowhere else in the body.
 */
export function bodyAroundSeq(e: Omit<StoredAuditEvent, 'prevHash' | 'hash' | 'seq'>): [before: string, after: string] {
  const stand = randomUUID();
  const pieces = canonicalJson(hashedBody({ ...e, seq: stand })).split(JSON.stringify(stand));
  if (pieces.length !== 2) throw new Error('the seq stand-in must occur once');
  return [pieces[0] as string, pieces[1] as string];
}

interface EventRow {
  id: string;
  org_id: string;
  seq: number;
  occurred_at: Date;
  actor_type: ActorType;
  actor_id: string | null;
  action: string;
  target_type: string | null;
  target_id: string | null;
  metadata: Record<string, Json>;
  request_id: string | null;
  prev_hash: string;
  hash: string;
}

export function toStoredEvent(r: EventRow): StoredAuditEvent {
  return {
    id: r.id,
    orgId: r.org_id,
    seq: r.seq,
    occurredAt: r.occurred_at.toISOString(),
    actorType: r.actor_type,
    actorId: r.actor_id,
    action: r.action,
    targetType: r.target_type,
    targetId: r.target_id,
    metadata: r.metadata,
    requestId: r.request_id,
    prevHash: r.prev_hash,
    hash: r.hash,
  };
}

export const EVENT_COLUMNS =
  'id, org_id, seq, occurred_at, actor_type, actor_id, action, target_type, target_id, metadata, request_id, prev_hash, hash';

export type EventRowShape = EventRow;

export interface AuditLog {
  /** Appends in its own transaction. */
  record(orgId: string, input: AuditEventInput): Promise<StoredAuditEvent>;
  /** Appends inside the caller's tenant transaction (commits or rolls back with it). */
  recordIn(tx: Queryable, orgId: string, input: AuditEventInput): Promise<StoredAuditEvent>;
  verify(orgId: string): Promise<VerifyResult>;
  writeCheckpoint(orgId: string): Promise<{ seq: number; hash: string } | null>;
  /** Appends to the platform chain (events that concern no single org); its orgId reads PLATFORM_CHAIN. */
  recordPlatform(input: AuditEventInput): Promise<StoredAuditEvent>;
  verifyPlatform(): Promise<VerifyResult>;
  writePlatformCheckpoint(): Promise<{ seq: number; hash: string } | null>;
}

export interface AuditDeps {
  db: Db;
  clock?: () => Date;
  /** Signs checkpoints; only the worker needs it. */
  signingKey?: KeyObject;
  /** Keys accepted when verifying checkpoints (the signing key's public half by default). */
  verifyKeys?: KeyObject[];
}

export function keyIdOf(publicKey: KeyObject): string {
  return createHash('sha256').update(publicKey.export({ format: 'der', type: 'spki' })).digest('hex').slice(0, 16);
}

function checkpointMessage(c: { orgId: string; seq: number; hash: string; signedAt: string; keyId: string }): Buffer {
  return Buffer.from(canonicalJson({ v: 1, orgId: c.orgId, seq: c.seq, hash: c.hash, signedAt: c.signedAt, keyId: c.keyId }));
}

const VERIFY_BATCH = 1000;

export function createAuditLog(deps: AuditDeps): AuditLog {
  const clock = deps.clock ?? (() => new Date());
  const verifyKeys = new Map<string, KeyObject>();
  for (const key of deps.verifyKeys ?? (deps.signingKey ? [createPublicKey(deps.signingKey)] : [])) {
    verifyKeys.set(keyIdOf(key), key);
  }

  /**
   * Appends one event in one round trip (issue 19). The link needs the head's seq and hash,
   * which only the database knows while it holds the head's lock; reading them first and
   * writing after held that lock, which every writer of the org waits for, across the
   * writer's own event loop. So the server computes the link: the event's canonical body
   * is sent in two pieces, before and after its seq, and the statement locks the head,
   * hashes prev_hash + before + seq + after (exactly eventHash), stores the event and moves
   * the head. Both statements are issued at once: inside a pipelined transaction they join
   * the caller's batch, and with commitIn (core/db.ts) the lock lasts only that batch.
   */
  async function appendIn(tx: Queryable, store: ChainStore, given: AuditEventInput): Promise<StoredAuditEvent> {
    const orgId = store.id;
    const input = store.key === 'org_id' ? attributed(given) : given;
    // Normalise metadata to what jsonb will give back, so the hash covers stored data.
    const metadata = JSON.parse(JSON.stringify(input.metadata ?? {})) as Record<string, Json>;
    const event: Omit<StoredAuditEvent, 'prevHash' | 'hash' | 'seq'> = {
      id: randomUUID(),
      orgId,
      occurredAt: new Date(clock().getTime()).toISOString(),
      actorType: input.actor.type,
      actorId: input.actor.id ?? null,
      action: input.action,
      targetType: input.target?.type ?? null,
      targetId: input.target?.id ?? null,
      metadata,
      requestId: input.requestId ?? null,
    };
    const [before, after] = bodyAroundSeq(event);
    const [, appended] = await Promise.all([
      tx.query(`INSERT INTO ${store.heads} (${store.key}, last_seq, last_hash) VALUES ($1, 0, $2) ON CONFLICT (${store.key}) DO NOTHING`, [orgId, genesisHash(orgId)]),
      tx.query<{ seq: number; prev_hash: string; hash: string }>(
        `WITH prev AS (SELECT last_seq, last_hash FROM ${store.heads} WHERE ${store.key} = $1 FOR UPDATE),
              link AS (SELECT last_seq + 1 AS seq, last_hash AS prev_hash,
                              encode(sha256(convert_to(last_hash || $2::text || (last_seq + 1)::text || $3::text, 'UTF8')), 'hex') AS hash
                         FROM prev),
              moved AS (UPDATE ${store.heads} h SET last_seq = link.seq, last_hash = link.hash FROM link WHERE h.${store.key} = $1 RETURNING h.last_seq)
         INSERT INTO ${store.events} (${EVENT_COLUMNS.replace('org_id', store.key)})
         SELECT $4::uuid, $1, link.seq, $5::timestamptz, $6::text, $7::text, $8::text, $9::text, $10::text, $11::jsonb, $12::text, link.prev_hash, link.hash
           FROM link JOIN moved ON moved.last_seq = link.seq
         RETURNING seq, prev_hash, hash`,
        [orgId, before, after, event.id, event.occurredAt, event.actorType, event.actorId, event.action, event.targetType, event.targetId, JSON.stringify(metadata), event.requestId],
      ),
    ]);
    const row = appended.rows[0];
    if (!row) throw new Error('audit head not visible: is the transaction bound to this org?');
    const stored = { ...event, seq: row.seq, prevHash: row.prev_hash, hash: row.hash };
    // The verifier's own formula must agree with the database's (a database whose text is not
    // UTF-8 would hash other bytes): otherwise the transaction fails rather than store a link
    // that verification would call broken.
    if (eventHash(row.prev_hash, stored) !== row.hash) throw new Error('audit link computed by the database does not match eventHash');
    return stored;
  }

  function recordIn(tx: Queryable, orgId: string, input: AuditEventInput): Promise<StoredAuditEvent> {
    return appendIn(tx, orgStore(orgId), input);
  }

  async function verifyChain(db: Queryable, store: ChainStore): Promise<VerifyResult> {
    const orgId = store.id;
    const result: VerifyResult = {
      orgId,
      ok: true,
      eventsChecked: 0,
      checkpointsChecked: 0,
      lastSeq: 0,
      lastHash: genesisHash(orgId),
      firstBroken: null,
    };
    const fail = (link: BrokenLink): VerifyResult => ({ ...result, ok: false, firstBroken: link });

    const cps = await db.query<{ seq: number; hash: string; signed_at: Date; key_id: string; signature: string }>(
      `SELECT seq, hash, signed_at, key_id, signature FROM ${store.checkpoints} WHERE ${store.key} = $1 ORDER BY seq`,
      [orgId],
    );
    const checkpointsBySeq = new Map(cps.rows.map((c) => [c.seq, c]));
    for (const c of cps.rows) {
      const key = verifyKeys.get(c.key_id);
      if (!key) {
        return fail({ seq: c.seq, eventId: null, reason: 'checkpoint_unknown_key', detail: `checkpoint at ${c.seq} is signed by unknown key ${c.key_id}` });
      }
      const message = checkpointMessage({ orgId, seq: c.seq, hash: c.hash, signedAt: c.signed_at.toISOString(), keyId: c.key_id });
      if (!verify(null, message, key, Buffer.from(c.signature, 'base64'))) {
        return fail({ seq: c.seq, eventId: null, reason: 'checkpoint_signature_invalid', detail: `checkpoint at ${c.seq} has an invalid signature` });
      }
    }

    let prev = genesisHash(orgId);
    let expectedSeq = 1;
    for (;;) {
      const batch = await db.query<EventRow>(
        `SELECT ${eventColumns(store)} FROM ${store.events} WHERE ${store.key} = $1 AND seq >= $2 ORDER BY seq LIMIT ${VERIFY_BATCH}`,
        [orgId, expectedSeq],
      );
      for (const row of batch.rows) {
        const e = toStoredEvent(row);
        if (e.seq !== expectedSeq) {
          return fail({ seq: expectedSeq, eventId: null, reason: 'missing_event', detail: `event ${expectedSeq} is missing (next stored event is ${e.seq})` });
        }
        if (e.prevHash !== prev) {
          return fail({ seq: e.seq, eventId: e.id, reason: 'prev_hash_mismatch', detail: `event ${e.seq} does not follow event ${e.seq - 1}` });
        }
        const computed = eventHash(prev, e);
        if (computed !== e.hash) {
          return fail({ seq: e.seq, eventId: e.id, reason: 'hash_mismatch', detail: `event ${e.seq} was altered after it was written` });
        }
        const cp = checkpointsBySeq.get(e.seq);
        if (cp && cp.hash !== e.hash) {
          return fail({ seq: e.seq, eventId: e.id, reason: 'checkpoint_mismatch', detail: `event ${e.seq} differs from the signed checkpoint` });
        }
        if (cp) result.checkpointsChecked += 1;
        prev = e.hash;
        result.eventsChecked += 1;
        result.lastSeq = e.seq;
        result.lastHash = e.hash;
        expectedSeq += 1;
      }
      if (batch.rows.length < VERIFY_BATCH) break;
    }

    const lastCheckpoint = cps.rows.at(-1);
    if (lastCheckpoint && lastCheckpoint.seq > result.lastSeq) {
      return fail({
        seq: result.lastSeq + 1,
        eventId: null,
        reason: 'missing_event',
        detail: `events ${result.lastSeq + 1}..${lastCheckpoint.seq} are covered by a signed checkpoint but missing`,
      });
    }
    const head = await db.query<{ last_seq: number; last_hash: string }>(`SELECT last_seq, last_hash FROM ${store.heads} WHERE ${store.key} = $1`, [orgId]);
    const tip = head.rows[0];
    if (tip && (tip.last_seq !== result.lastSeq || tip.last_hash !== result.lastHash)) {
      return fail({
        seq: Math.min(tip.last_seq, result.lastSeq + 1),
        eventId: null,
        reason: 'head_mismatch',
        detail: `the chain ends at ${result.lastSeq} but its head records ${tip.last_seq}`,
      });
    }
    return result;
  }

  async function checkpointIn(tx: Queryable, store: ChainStore): Promise<{ seq: number; hash: string } | null> {
    const signingKey = deps.signingKey;
    if (!signingKey) throw new Error('writeCheckpoint needs the audit signing key');
    const keyId = keyIdOf(createPublicKey(signingKey));
    const orgId = store.id;
    const head = await tx.query<{ last_seq: number; last_hash: string }>(`SELECT last_seq, last_hash FROM ${store.heads} WHERE ${store.key} = $1`, [orgId]);
    const tip = head.rows[0];
    if (!tip || tip.last_seq === 0) return null;
    const signedAt = new Date(clock().getTime()).toISOString();
    const signature = sign(null, checkpointMessage({ orgId, seq: tip.last_seq, hash: tip.last_hash, signedAt, keyId }), signingKey).toString('base64');
    const inserted = await tx.query(
      `INSERT INTO ${store.checkpoints} (${store.key}, seq, hash, signed_at, key_id, signature)
       VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (${store.key}, seq) DO NOTHING`,
      [orgId, tip.last_seq, tip.last_hash, signedAt, keyId, signature],
    );
    return inserted.rowCount ? { seq: tip.last_seq, hash: tip.last_hash } : null;
  }

  return {
    record(orgId, input) {
      return deps.db.withTenantTx(orgId, (tx) => recordIn(tx, orgId, input));
    },
    recordIn,
    verify(orgId) {
      // One consistent snapshot even while writers append.
      return deps.db.withTenantTx(orgId, (tx) => verifyChain(tx, orgStore(orgId)), { snapshot: true });
    },
    writeCheckpoint(orgId) {
      return deps.db.withTenantTx(orgId, (tx) => checkpointIn(tx, orgStore(orgId)));
    },
    // The platform tables are global: no tenant context, and no org can see them through RLS
    // either (they have no org_id); only the operator's CLI reads them.
    recordPlatform(input) {
      return deps.db.tx((tx) => appendIn(tx, PLATFORM_STORE, input));
    },
    verifyPlatform() {
      return deps.db.tx((tx) => verifyChain(tx, PLATFORM_STORE), { snapshot: true });
    },
    writePlatformCheckpoint() {
      return deps.db.tx((tx) => checkpointIn(tx, PLATFORM_STORE));
    },
  };
}
