// A candidate's cipher, or null once the candidate's key was destroyed (erasure): work that
// finds an erased candidate (AI screening and scoring, the sample checks) records the
// candidate as gone instead of failing with an error.
import { KeyDestroyedError, type CandidateCipher, type Keyring } from './crypto.js';
import type { Queryable } from './db.js';

export async function candidateCipherUnlessErased(keyring: Pick<Keyring, 'candidateCipher'>, q: Queryable, orgId: string, candidateId: string): Promise<CandidateCipher | null> {
  try {
    return await keyring.candidateCipher(q, orgId, candidateId);
  } catch (err) {
    if (err instanceof KeyDestroyedError) return null;
    throw err;
  }
}
