// Keyset-pagination cursors (created_at, id), shared by every list that pages.
import { BadRequestError } from './errors.js';

export function encodeCursor(createdAt: string, id: string): string {
  return Buffer.from(`${createdAt}|${id}`, 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string | undefined): { createdAt: string; id: string } | undefined {
  if (!cursor) return undefined;
  const [createdAt, id] = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
  // createdAt is Postgres' text form of a timestamptz (microsecond precision kept).
  if (!createdAt || !id || !/^[0-9a-f-]{36}$/.test(id) || !/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}[.0-9]{0,7}[+-][0-9:]{2,5}$/.test(createdAt)) {
    throw new BadRequestError({ detail: 'The cursor is not valid.' });
  }
  return { createdAt, id };
}
