// Server-side search over encrypted candidate names with keyed blind-index tokens.
//
// A name is normalised (NFKD, combining marks stripped, lower case, split into words of
// letters and digits) and each word is stored as HMAC-SHA256 tokens under a key derived
// from the org key (HKDF, its own label): one per prefix of 2..PREFIX_CAP characters and
// one for the whole word. The table never holds plaintext, and tokens of two orgs never
// match. A query word of up to PREFIX_CAP characters matches names with a word starting
// with it; a longer one matches whole words only. Emails are matched exactly through the
// existing email blind index. Tokens leak equality (two candidates share a prefix), which
// is the accepted price of searching without decrypting every row; they are deleted when
// the candidate is erased.
import { createHmac, hkdfSync } from 'node:crypto';
import { KeyDestroyedError, type Keyring } from '../../core/crypto.js';
import type { Db, Queryable } from '../../core/db.js';
import { UnprocessableError } from '../../core/errors.js';
import { candidatesToIndex, replaceSearchTokens } from './repo.js';

export const PREFIX_CAP = 10;
const MIN_PREFIX = 2;
const MAX_WORDS = 20;
const MAX_QUERY_WORDS = 5;
const MAX_WORD = 64;

/** "José  O'Neill-Smith" -> ["jose", "o", "neill", "smith"]. */
export function normaliseWords(text: string): string[] {
  return text
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter(Boolean)
    .map((w) => w.slice(0, MAX_WORD));
}

export interface NameSearchQuery {
  /** Candidate must hold every one of these tokens (one per query word). */
  tokens: Buffer[] | null;
  /** Exact email match (blind index), when the query looks like an email. */
  emailIndex: Buffer | null;
}

export function createCandidateSearch(deps: { keyring: Keyring }) {
  const keys = new Map<string, Buffer>();

  async function tokenKey(q: Queryable, orgId: string): Promise<Buffer> {
    const cached = keys.get(orgId);
    if (cached) return cached;
    const key = Buffer.from(hkdfSync('sha256', await deps.keyring.orgKey(q, orgId), Buffer.alloc(0), 'hirebox-blind-index:name-search', 32));
    keys.set(orgId, key);
    return key;
  }

  const mac = (key: Buffer, value: string): Buffer => createHmac('sha256', key).update(value, 'utf8').digest();

  function tokensOfName(key: Buffer, name: string): Buffer[] {
    const out = new Map<string, Buffer>();
    for (const word of normaliseWords(name).slice(0, MAX_WORDS)) {
      const chars = [...word];
      for (let n = MIN_PREFIX; n <= Math.min(chars.length, PREFIX_CAP); n++) {
        const t = mac(key, `p:${chars.slice(0, n).join('')}`);
        out.set(t.toString('hex'), t);
      }
      const whole = mac(key, `w:${word}`);
      out.set(whole.toString('hex'), whole);
    }
    return [...out.values()];
  }

  /** (Re)writes a candidate's tokens inside the caller's tenant transaction. */
  async function indexName(tx: Queryable, orgId: string, candidateId: string, name: string): Promise<void> {
    await replaceSearchTokens(tx, orgId, candidateId, tokensOfName(await tokenKey(tx, orgId), name));
  }

  async function decryptName(tx: Queryable, orgId: string, candidateId: string, nameEnc: Buffer): Promise<string | null> {
    try {
      return (await deps.keyring.candidateCipher(tx, orgId, candidateId)).openText('candidates', 'name_enc', candidateId, nameEnc);
    } catch (err) {
      if (err instanceof KeyDestroyedError) return null;
      throw err;
    }
  }

  return {
    indexName,

    /** Turns a search box entry into tokens; 422 when nothing searchable is left. */
    async query(q: Queryable, orgId: string, text: string): Promise<NameSearchQuery> {
      const trimmed = text.trim();
      if (trimmed.includes('@')) return { tokens: null, emailIndex: await deps.keyring.blindIndex(q, orgId, 'email', trimmed) };
      const words = [...new Set(normaliseWords(trimmed))].filter((w) => [...w].length >= MIN_PREFIX);
      if (words.length === 0) throw new UnprocessableError({ detail: `Search needs at least ${MIN_PREFIX} letters or digits in a word (or a full email address).` });
      if (words.length > MAX_QUERY_WORDS) throw new UnprocessableError({ detail: `Search with at most ${MAX_QUERY_WORDS} words.` });
      const key = await tokenKey(q, orgId);
      const tokens = words.map((w) => mac(key, [...w].length <= PREFIX_CAP ? `p:${w}` : `w:${w}`));
      return { tokens: [...new Map(tokens.map((t) => [t.toString('hex'), t])).values()], emailIndex: null };
    },

    /**
     * Indexes candidates created before search existed (or whose indexing was missed),
     * in batches, each in its own transaction. Erased candidates are skipped.
     */
    async reindex(db: Pick<Db, 'withTenantTx'>, orgId: string, batch = 200): Promise<{ indexed: number; skipped: number }> {
      let indexed = 0;
      let skipped = 0;
      for (;;) {
        const done = await db.withTenantTx(orgId, async (tx) => {
          const rows = await candidatesToIndex(tx, batch);
          for (const r of rows) {
            const name = await decryptName(tx, orgId, r.id, r.name_enc);
            if (name === null) {
              skipped += 1;
              await replaceSearchTokens(tx, orgId, r.id, []);
            } else {
              indexed += 1;
              await indexName(tx, orgId, r.id, name);
            }
          }
          return rows.length < batch;
        });
        if (done) return { indexed, skipped };
      }
    },
  };
}

export type CandidateSearch = ReturnType<typeof createCandidateSearch>;
