// SQL for interview recordings held on the box (0036): sealed bytes under the candidate key.
import type { Queryable } from '../../core/db.js';

export interface RecordingRow {
  interview_id: string;
  call_id: string;
  content_type: string;
  size_bytes: number;
  bytes_enc: Buffer;
}

export async function insertRecording(tx: Queryable, r: { orgId: string; interviewId: string; callId: string; contentType: string; size: number; sealed: Buffer }): Promise<boolean> {
  const { rowCount } = await tx.query(
    'INSERT INTO interview_recordings (interview_id, org_id, call_id, content_type, size_bytes, bytes_enc) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (interview_id) DO NOTHING',
    [r.interviewId, r.orgId, r.callId, r.contentType, r.size, r.sealed],
  );
  return rowCount === 1;
}

export async function findRecording(q: Queryable, interviewId: string): Promise<RecordingRow | null> {
  const { rows } = await q.query<RecordingRow>('SELECT interview_id, call_id, content_type, size_bytes, bytes_enc FROM interview_recordings WHERE interview_id = $1', [interviewId]);
  return rows[0] ?? null;
}

export async function hasRecording(q: Queryable, interviewId: string): Promise<{ contentType: string; size: number } | null> {
  const { rows } = await q.query<{ content_type: string; size_bytes: number }>('SELECT content_type, size_bytes FROM interview_recordings WHERE interview_id = $1', [interviewId]);
  return rows[0] ? { contentType: rows[0].content_type, size: rows[0].size_bytes } : null;
}
