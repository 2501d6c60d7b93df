// SQL for message templates (plain text, no PII) and messages (subject and body sealed
// with the candidate key).
import type { Queryable } from '../../core/db.js';
import type { Locale } from '../../core/i18n/locales.js';

export const TEMPLATE_KINDS = ['application_received', 'interview_invite', 'rejection', 'generic'] as const;
export type TemplateKind = (typeof TEMPLATE_KINDS)[number];
export const SEND_ON = ['apply', 'screening', 'interview', 'offer', 'hired', 'withdrawn'] as const;
export type SendOn = (typeof SEND_ON)[number];
export type MessageKind = TemplateKind | 'free_text';
export type MessageOrigin = 'manual' | 'apply' | 'stage';

/** A template's wording in one shipped locale. */
export interface TemplateVariant {
  subject: string;
  body: string;
}
export type TemplateTranslations = Partial<Record<Locale, TemplateVariant>>;

export interface TemplateRow {
  id: string;
  name: string;
  kind: TemplateKind;
  subject: string;
  body: string;
  send_on: SendOn | null;
  translations: TemplateTranslations;
  created_at: Date;
  updated_at: Date;
  updated_by: string | null;
}

const TEMPLATE_COLUMNS = 'id, name, kind, subject, body, send_on, translations, created_at, updated_at, updated_by';

export async function listTemplates(q: Queryable): Promise<TemplateRow[]> {
  const { rows } = await q.query<TemplateRow>(`SELECT ${TEMPLATE_COLUMNS} FROM message_templates ORDER BY kind, lower(name), id`);
  return rows;
}

export async function findTemplate(q: Queryable, id: string, forUpdate = false): Promise<TemplateRow | null> {
  const { rows } = await q.query<TemplateRow>(`SELECT ${TEMPLATE_COLUMNS} FROM message_templates WHERE id = $1 ${forUpdate ? 'FOR UPDATE' : ''}`, [id]);
  return rows[0] ?? null;
}

export async function findTemplateBySendOn(q: Queryable, sendOn: SendOn): Promise<TemplateRow | null> {
  const { rows } = await q.query<TemplateRow>(`SELECT ${TEMPLATE_COLUMNS} FROM message_templates WHERE send_on = $1`, [sendOn]);
  return rows[0] ?? null;
}

export async function insertTemplate(
  tx: Queryable,
  t: { orgId: string; name: string; kind: TemplateKind; subject: string; body: string; sendOn: SendOn | null; translations: TemplateTranslations; userId: string },
): Promise<TemplateRow> {
  const { rows } = await tx.query<TemplateRow>(
    `INSERT INTO message_templates (org_id, name, kind, subject, body, send_on, translations, updated_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING ${TEMPLATE_COLUMNS}`,
    [t.orgId, t.name, t.kind, t.subject, t.body, t.sendOn, JSON.stringify(t.translations), t.userId],
  );
  return rows[0] as TemplateRow;
}

export async function updateTemplate(
  tx: Queryable,
  id: string,
  t: { name: string; subject: string; body: string; sendOn: SendOn | null; translations: TemplateTranslations; userId: string },
): Promise<TemplateRow> {
  const { rows } = await tx.query<TemplateRow>(
    `UPDATE message_templates SET name = $2, subject = $3, body = $4, send_on = $5, translations = $6, updated_by = $7, updated_at = now() WHERE id = $1 RETURNING ${TEMPLATE_COLUMNS}`,
    [id, t.name, t.subject, t.body, t.sendOn, JSON.stringify(t.translations), t.userId],
  );
  return rows[0] as TemplateRow;
}

export async function deleteTemplate(tx: Queryable, id: string): Promise<void> {
  await tx.query('DELETE FROM message_templates WHERE id = $1', [id]);
}

export interface MessageRow {
  id: string;
  application_id: string;
  template_kind: MessageKind;
  template_id: string | null;
  origin: MessageOrigin;
  subject_enc: Buffer;
  body_enc: Buffer;
  sent_by: string | null;
  status: 'pending' | 'sent' | 'failed';
  error: string | null;
  sent_at: Date | null;
  created_at: Date;
  attempts: number;
  last_attempt_at: Date;
}

const MESSAGE_COLUMNS = 'id, application_id, template_kind, template_id, origin, subject_enc, body_enc, sent_by, status, error, sent_at, created_at, attempts, last_attempt_at';

/** A 'pending' message whose last attempt is older than this was cut off (crash between commit and mail). */
export const STUCK_PENDING_MINUTES = 10;

export async function insertMessage(
  tx: Queryable,
  m: { id: string; orgId: string; applicationId: string; kind: MessageKind; templateId: string | null; origin: MessageOrigin; subjectEnc: Buffer; bodyEnc: Buffer; sentBy: string | null },
): Promise<MessageRow> {
  const { rows } = await tx.query<MessageRow>(
    `INSERT INTO messages (id, org_id, application_id, template_kind, template_id, origin, subject_enc, body_enc, sent_by, status)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'pending') RETURNING ${MESSAGE_COLUMNS}`,
    [m.id, m.orgId, m.applicationId, m.kind, m.templateId, m.origin, m.subjectEnc, m.bodyEnc, m.sentBy],
  );
  return rows[0] as MessageRow;
}

export async function markMessage(tx: Queryable, id: string, status: 'sent' | 'failed', error: string | null): Promise<void> {
  await tx.query("UPDATE messages SET status = $2, error = $3, sent_at = CASE WHEN $2 = 'sent' THEN now() ELSE sent_at END WHERE id = $1", [id, status, error]);
}

export async function messagesOfApplication(q: Queryable, applicationId: string): Promise<MessageRow[]> {
  const { rows } = await q.query<MessageRow>(`SELECT ${MESSAGE_COLUMNS} FROM messages WHERE application_id = $1 ORDER BY created_at, id`, [applicationId]);
  return rows;
}

export async function hasRejectDecision(q: Queryable, applicationId: string): Promise<boolean> {
  const { rowCount } = await q.query("SELECT 1 FROM decisions WHERE application_id = $1 AND outcome = 'reject' LIMIT 1", [applicationId]);
  return (rowCount ?? 0) > 0;
}

export async function orgName(q: Queryable, orgId: string): Promise<string> {
  const { rows } = await q.query<{ name: string }>('SELECT name FROM orgs WHERE id = $1', [orgId]);
  return rows[0]?.name ?? '';
}

export async function jobForMessage(q: Queryable, jobId: string): Promise<{ title: string; location: string }> {
  const { rows } = await q.query<{ title: string; location: string }>('SELECT title, location FROM jobs WHERE id = $1', [jobId]);
  return rows[0] ?? { title: '', location: '' };
}

export async function findMessage(q: Queryable, id: string, forUpdate = false): Promise<(MessageRow & { stuck: boolean }) | null> {
  const { rows } = await q.query<MessageRow & { stuck: boolean }>(
    `SELECT ${MESSAGE_COLUMNS}, (status = 'pending' AND last_attempt_at < now() - make_interval(mins => $2)) AS stuck FROM messages WHERE id = $1 ${forUpdate ? 'FOR UPDATE' : ''}`,
    [id, STUCK_PENDING_MINUTES],
  );
  return rows[0] ?? null;
}

/** Claims a message for another delivery attempt (back to 'pending', attempts + 1). */
export async function claimMessageRetry(tx: Queryable, id: string): Promise<MessageRow> {
  const { rows } = await tx.query<MessageRow>(
    `UPDATE messages SET status = 'pending', error = NULL, attempts = attempts + 1, last_attempt_at = now() WHERE id = $1 RETURNING ${MESSAGE_COLUMNS}`,
    [id],
  );
  return rows[0] as MessageRow;
}

export interface UndeliveredRow {
  id: string;
  application_id: string;
  candidate_id: string;
  job_id: string;
  job_title: string;
  template_kind: MessageKind;
  origin: MessageOrigin;
  status: 'pending' | 'failed';
  error: string | null;
  attempts: number;
  created_at: Date;
  created_at_text: string;
  last_attempt_at: Date;
}

/** Failed messages, or ('pending') those stuck in pending, newest first; no ciphertext. */
export async function listUndelivered(
  q: Queryable,
  f: { status: 'failed' | 'pending'; assignedTo: string | null; after?: { createdAt: string; id: string }; limit: number },
): Promise<UndeliveredRow[]> {
  const { rows } = await q.query<UndeliveredRow>(
    `SELECT m.id, m.application_id, a.candidate_id, a.job_id, j.title AS job_title, m.template_kind, m.origin, m.status, m.error, m.attempts,
            m.created_at, m.created_at::text AS created_at_text, m.last_attempt_at
       FROM messages m JOIN applications a ON a.id = m.application_id JOIN jobs j ON j.id = a.job_id
      WHERE m.status = $1 AND ($1 <> 'pending' OR m.last_attempt_at < now() - make_interval(mins => $2))
        AND ($3::uuid IS NULL OR EXISTS (SELECT 1 FROM job_assignments ja WHERE ja.job_id = a.job_id AND ja.user_id = $3))
        AND ($4::timestamptz IS NULL OR (m.created_at, m.id) < ($4::timestamptz, $5::uuid))
      ORDER BY m.created_at DESC, m.id DESC LIMIT $6`,
    [f.status, STUCK_PENDING_MINUTES, f.assignedTo, f.after?.createdAt ?? null, f.after?.id ?? null, f.limit],
  );
  return rows;
}

/** The language the candidate reads (what they applied in, else the job's language; issue 22 item 1). */
export async function candidateLocaleOf(q: Queryable, applicationId: string): Promise<{ locale: string | null; timeZone: string | null }> {
  const { rows } = await q.query<{ locale: string | null; time_zone: string | null }>(
    'SELECT coalesce(a.locale, j.language) AS locale, a.time_zone FROM applications a JOIN jobs j ON j.id = a.job_id WHERE a.id = $1',
    [applicationId],
  );
  return { locale: rows[0]?.locale ?? null, timeZone: rows[0]?.time_zone ?? null };
}
