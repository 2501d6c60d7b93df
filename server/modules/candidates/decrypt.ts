// Opening a candidate's encrypted contact fields: the candidates module owns the row and its
// columns, so every module that shows a candidate (screening, interviews, messages, ...) asks here.
import type { CandidateCipher } from '../../core/crypto.js';
import type { CandidateRow } from './repo.js';

export interface CandidateView {
  id: string;
  name: string;
  email: string;
  phone: string | null;
  location: string | null;
  links: string[];
}

export function decryptCandidate(cipher: CandidateCipher, row: CandidateRow): CandidateView {
  const o = (column: string, v: Buffer): string => cipher.openText('candidates', column, row.id, v);
  return {
    id: row.id,
    name: o('name_enc', row.name_enc),
    email: o('email_enc', row.email_enc),
    phone: row.phone_enc ? o('phone_enc', row.phone_enc) : null,
    location: row.location_enc ? o('location_enc', row.location_enc) : null,
    links: row.links_enc ? (JSON.parse(o('links_enc', row.links_enc)) as string[]) : [],
  };
}
