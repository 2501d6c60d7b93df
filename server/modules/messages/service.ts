// Candidate messages: per-org templates with allowlisted variables, sent from the record
// (template or free text) or automatically on apply / on reaching a configured stage kind.
//
// A send writes the message (subject and body sealed with the candidate key), a timeline
// event and an audit event in one tenant transaction with status 'pending'; the mail goes
// out after commit and the outcome ('sent' / 'failed') is recorded afterwards. A rejection
// is never automatic (the database refuses a rejection template with send_on) and a manual
// one needs a recorded human reject decision plus "confirm": true.
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { AuditLog } from '../../core/audit.js';
import { KeyDestroyedError, type CandidateCipher, type Keyring } from '../../core/crypto.js';
import type { Queryable, TenantDb } from '../../core/db.js';
import { ConflictError, NotFoundError, UnprocessableError } from '../../core/errors.js';
import type { Mailer } from '../../core/mailer.js';
import { findCandidate } from '../candidates/index.js';
import { findApplication, insertEvent, type ApplicationRow } from '../applications/index.js';
import { decryptCandidate } from '../candidates/index.js';
import type { StageKind } from '../jobs/index.js';
import { assignedScope, type Ctx } from '../../core/context.js';
import { decodeCursor, encodeCursor } from '../../core/cursor.js';
import { currentNoticeIn } from '../notices/index.js';
import { mailNoticeFooter } from '../notices/index.js';
import { pickLocale } from '../../core/i18n/locales.js';
import { translator } from '../../core/i18n/translator.js';
import { checkTemplateText, firstName, renderTemplate, TEMPLATE_VARIABLES, type TemplateValues } from './render.js';
import {
  candidateLocaleOf,
  claimMessageRetry,
  deleteTemplate,
  findMessage,
  listUndelivered,
  findTemplate,
  findTemplateBySendOn,
  hasRejectDecision,
  insertMessage,
  insertTemplate,
  jobForMessage,
  listTemplates,
  markMessage,
  messagesOfApplication,
  orgName,
  SEND_ON,
  updateTemplate,
  type MessageKind,
  type MessageOrigin,
  type MessageRow,
  type SendOn,
  type TemplateKind,
  type TemplateRow,
  type TemplateTranslations,
} from './repo.js';

export interface TemplateInput {
  name: string;
  kind: TemplateKind;
  subject: string;
  body: string;
  sendOn?: SendOn | null;
  /** Wording per shipped locale; a send uses the candidate's, else subject and body. */
  translations?: TemplateTranslations;
}

export interface SendInput {
  templateId?: string;
  subject?: string;
  body?: string;
  confirm?: boolean;
}

interface Outgoing {
  messageId: string;
  applicationId: string;
  to: string;
  subject: string;
  text: string;
}

export function templateView(t: TemplateRow) {
  return {
    id: t.id,
    name: t.name,
    kind: t.kind,
    subject: t.subject,
    body: t.body,
    sendOn: t.send_on,
    translations: t.translations,
    updatedBy: t.updated_by,
    createdAt: t.created_at.toISOString(),
    updatedAt: t.updated_at.toISOString(),
  };
}

export function messageView(cipher: CandidateCipher, m: MessageRow) {
  return {
    id: m.id,
    applicationId: m.application_id,
    kind: m.template_kind,
    templateId: m.template_id,
    origin: m.origin,
    subject: cipher.openText('messages', 'subject_enc', m.id, m.subject_enc),
    body: cipher.openText('messages', 'body_enc', m.id, m.body_enc),
    sentBy: m.sent_by,
    status: m.status,
    error: m.error,
    sentAt: m.sent_at?.toISOString() ?? null,
    createdAt: m.created_at.toISOString(),
    attempts: m.attempts,
    lastAttemptAt: m.last_attempt_at.toISOString(),
  };
}

function checkTemplate(input: { kind: TemplateKind; subject: string; body: string; sendOn: SendOn | null; translations: TemplateTranslations }): void {
  checkTemplateText('subject', input.subject);
  checkTemplateText('body', input.body);
  for (const [locale, variant] of Object.entries(input.translations)) {
    checkTemplateText('subject', variant.subject, `translations.${locale}.subject`);
    checkTemplateText('body', variant.body, `translations.${locale}.body`);
  }
  if (input.sendOn && input.kind === 'rejection') {
    throw new UnprocessableError({ detail: 'A rejection is never sent automatically: a human sends it after a recorded decision.' });
  }
  if (input.sendOn === 'apply' && input.kind !== 'application_received') {
    throw new UnprocessableError({ detail: 'Only an "application_received" template can be sent on apply.' });
  }
  if (input.sendOn && input.sendOn !== 'apply' && input.kind === 'application_received') {
    throw new UnprocessableError({ detail: 'An "application_received" template can only be sent on apply.' });
  }
}

function uniqueViolation(err: unknown): ConflictError | null {
  const e = err as { code?: string; constraint?: string };
  if (e.code !== '23505') return null;
  if (e.constraint === 'message_templates_org_send_on_idx') return new ConflictError({ detail: 'Another template is already sent automatically on that event.' });
  return new ConflictError({ detail: 'A template with that name already exists.' });
}

export function createMessageService(deps: { db: TenantDb; audit: AuditLog; keyring: Keyring; mailer: Mailer; logger: Logger }) {
  const { db, audit, keyring } = deps;

  async function loadCipher(q: Queryable, orgId: string, candidateId: string): Promise<CandidateCipher> {
    try {
      return await keyring.candidateCipher(q, orgId, candidateId);
    } catch (err) {
      if (err instanceof KeyDestroyedError) throw new NotFoundError({ resource: 'Candidate', detail: "This candidate's data has been erased." });
      throw err;
    }
  }

  /** Renders and stores one message as 'pending' (inside the caller's transaction). */
  async function queueIn(
    tx: Queryable,
    orgId: string,
    app: ApplicationRow,
    m: { kind: MessageKind; templateId: string | null; subject: string; body: string; translations?: TemplateTranslations; origin: MessageOrigin; sentBy: string | null; requestId: string | null },
  ): Promise<{ out: Outgoing; row: MessageRow; cipher: CandidateCipher }> {
    const cand = await findCandidate(tx, app.candidate_id);
    if (!cand) throw new NotFoundError({ resource: 'Application' });
    const cipher = await loadCipher(tx, orgId, app.candidate_id);
    const candidate = decryptCandidate(cipher, cand);
    const job = await jobForMessage(tx, app.job_id);
    const values: TemplateValues = {
      'candidate.firstName': firstName(candidate.name),
      'candidate.name': candidate.name,
      'job.title': job.title,
      'job.location': job.location,
      'org.name': await orgName(tx, orgId),
    };
    // The candidate's language (issue 22 item 1) picks the template's variant, if it has one,
    // and the privacy footer every mail carries (mail goes from a no-reply address).
    const lang = await candidateLocaleOf(tx, app.id);
    const tr = translator(pickLocale({ content: lang.locale }), lang.timeZone);
    const wording = m.translations?.[tr.locale] ?? m;
    const subject = renderTemplate(wording.subject, values, true).slice(0, 300);
    const text = `${renderTemplate(wording.body, values, false)}\n\n${mailNoticeFooter((await currentNoticeIn(tx, orgId)).facts, tr)}`;
    const messageId = randomUUID();
    const row = await insertMessage(tx, {
      id: messageId,
      orgId,
      applicationId: app.id,
      kind: m.kind,
      templateId: m.templateId,
      origin: m.origin,
      subjectEnc: cipher.seal('messages', 'subject_enc', messageId, subject),
      bodyEnc: cipher.seal('messages', 'body_enc', messageId, text),
      sentBy: m.sentBy,
    });
    const actor = m.sentBy ? { type: 'user' as const, id: m.sentBy } : { type: 'system' as const };
    await insertEvent(tx, { orgId, applicationId: app.id, type: 'message.sent', actor, data: { messageId, kind: m.kind, origin: m.origin, templateId: m.templateId } });
    await audit.recordIn(tx, orgId, {
      action: 'message.sent',
      actor,
      target: { type: 'application', id: app.id },
      metadata: { messageId, candidateId: app.candidate_id, kind: m.kind, origin: m.origin, templateId: m.templateId },
      requestId: m.requestId,
    });
    return { out: { messageId, applicationId: app.id, to: candidate.email, subject, text }, row, cipher };
  }

  /** After commit: hand the mail to the mailer and record the outcome. Never throws. */
  async function deliver(orgId: string, out: Outgoing): Promise<'sent' | 'failed'> {
    let status: 'sent' | 'failed' = 'sent';
    try {
      await deps.mailer.send({ to: out.to, subject: out.subject, text: out.text });
    } catch (err) {
      status = 'failed';
      // No recipient, subject or body in logs.
      deps.logger.warn({ messageId: out.messageId, err: { name: (err as Error).name } }, 'candidate message could not be mailed');
    }
    try {
      await db.withTenantTx(orgId, async (tx) => {
        await markMessage(tx, out.messageId, status, status === 'failed' ? 'mail transport error' : null);
        if (status === 'failed') {
          await insertEvent(tx, { orgId, applicationId: out.applicationId, type: 'message.failed', actor: { type: 'system' }, data: { messageId: out.messageId } });
          await audit.recordIn(tx, orgId, { action: 'message.failed', actor: { type: 'system' }, target: { type: 'application', id: out.applicationId }, metadata: { messageId: out.messageId } });
        }
      });
    } catch (err) {
      deps.logger.error({ messageId: out.messageId, err: { message: (err as Error).message } }, 'recording the message outcome failed');
    }
    return status;
  }

  /** Automatic sends (apply, stage reached): best effort, never fail the caller. */
  async function autoSend(orgId: string, applicationId: string, sendOn: SendOn, sentBy: string | null, requestId: string | null): Promise<void> {
    try {
      const queued = await db.withTenantTx(orgId, async (tx) => {
        const template = await findTemplateBySendOn(tx, sendOn);
        if (!template || template.kind === 'rejection') return null;
        const app = await findApplication(tx, applicationId, null);
        if (!app) return null;
        return queueIn(tx, orgId, app, {
          kind: template.kind,
          templateId: template.id,
          subject: template.subject,
          body: template.body,
          translations: template.translations,
          origin: sendOn === 'apply' ? 'apply' : 'stage',
          sentBy,
          requestId,
        });
      });
      if (queued) await deliver(orgId, queued.out);
    } catch (err) {
      deps.logger.warn({ applicationId, sendOn, err: { message: (err as Error).message } }, 'automatic candidate message not sent');
    }
  }

  return {
    variables: TEMPLATE_VARIABLES,

    async listTemplates(ctx: Ctx) {
      const rows = await db.withTenant(ctx.orgId, (q) => listTemplates(q));
      return { templates: rows.map(templateView), variables: [...TEMPLATE_VARIABLES] };
    },

    async createTemplate(ctx: Ctx, input: TemplateInput) {
      const sendOn = input.sendOn ?? null;
      const translations = input.translations ?? {};
      checkTemplate({ ...input, sendOn, translations });
      try {
        return await db.withTenantTx(ctx.orgId, async (tx) => {
          const row = await insertTemplate(tx, { orgId: ctx.orgId, name: input.name.trim(), kind: input.kind, subject: input.subject, body: input.body, sendOn, translations, userId: ctx.userId });
          await audit.recordIn(tx, ctx.orgId, {
            action: 'message_template.created',
            actor: { type: 'user', id: ctx.userId },
            target: { type: 'message_template', id: row.id },
            metadata: { kind: row.kind, sendOn },
            requestId: ctx.requestId,
          });
          return templateView(row);
        });
      } catch (err) {
        throw uniqueViolation(err) ?? err;
      }
    },

    async updateTemplate(ctx: Ctx, id: string, patch: Partial<Omit<TemplateInput, 'kind'>>) {
      try {
        return await db.withTenantTx(ctx.orgId, async (tx) => {
          const current = await findTemplate(tx, id, true);
          if (!current) throw new NotFoundError({ resource: 'Message template' });
          const next = {
            name: patch.name?.trim() ?? current.name,
            subject: patch.subject ?? current.subject,
            body: patch.body ?? current.body,
            sendOn: patch.sendOn === undefined ? current.send_on : patch.sendOn,
            translations: patch.translations ?? current.translations,
          };
          checkTemplate({ kind: current.kind, ...next });
          const row = await updateTemplate(tx, id, { ...next, userId: ctx.userId });
          await audit.recordIn(tx, ctx.orgId, {
            action: 'message_template.updated',
            actor: { type: 'user', id: ctx.userId },
            target: { type: 'message_template', id },
            metadata: { kind: row.kind, sendOn: row.send_on, fields: Object.keys(patch).filter((k) => (patch as Record<string, unknown>)[k] !== undefined).sort() },
            requestId: ctx.requestId,
          });
          return templateView(row);
        });
      } catch (err) {
        throw uniqueViolation(err) ?? err;
      }
    },

    async deleteTemplate(ctx: Ctx, id: string): Promise<void> {
      await db.withTenantTx(ctx.orgId, async (tx) => {
        const current = await findTemplate(tx, id, true);
        if (!current) throw new NotFoundError({ resource: 'Message template' });
        await deleteTemplate(tx, id);
        await audit.recordIn(tx, ctx.orgId, {
          action: 'message_template.deleted',
          actor: { type: 'user', id: ctx.userId },
          target: { type: 'message_template', id },
          metadata: { kind: current.kind },
          requestId: ctx.requestId,
        });
      });
    },

    /** Sends a message from the application's record (a template or free text). */
    async send(ctx: Ctx, applicationId: string, input: SendInput) {
      const freeText = input.subject !== undefined || input.body !== undefined;
      if (Boolean(input.templateId) === freeText) throw new UnprocessableError({ detail: 'Send either a templateId or a subject and body.' });
      if (freeText) {
        if (!input.subject || !input.body) throw new UnprocessableError({ detail: 'A free-text message needs a subject and a body.' });
        checkTemplateText('subject', input.subject);
        checkTemplateText('body', input.body);
      }
      const queued = await db.withTenantTx(ctx.orgId, async (tx) => {
        const app = await findApplication(tx, applicationId, assignedScope(ctx), true);
        if (!app) throw new NotFoundError({ resource: 'Application' });
        let kind: MessageKind = 'free_text';
        let subject = input.subject ?? '';
        let body = input.body ?? '';
        let translations: TemplateTranslations | undefined;
        if (input.templateId) {
          const template = await findTemplate(tx, input.templateId);
          if (!template) throw new UnprocessableError({ detail: 'templateId is not a template of this organisation.' });
          ({ kind, subject, body, translations } = { kind: template.kind, subject: template.subject, body: template.body, translations: template.translations });
        }
        if (kind === 'rejection') {
          if (app.stage_kind !== 'rejected' || !(await hasRejectDecision(tx, app.id))) {
            throw new ConflictError({ detail: 'A rejection message needs a recorded human reject decision first (POST /api/v1/applications/:id/decision).' });
          }
        }
        if ((kind === 'rejection' || app.stage_kind === 'rejected') && input.confirm !== true) {
          throw new ConflictError({ detail: 'Sending this message to a rejected candidate needs confirmation: repeat with "confirm": true.', extra: { requiresConfirmation: true } });
        }
        return queueIn(tx, ctx.orgId, app, { kind, templateId: input.templateId ?? null, subject, body, translations, origin: 'manual', sentBy: ctx.userId, requestId: ctx.requestId });
      });
      const status = await deliver(ctx.orgId, queued.out);
      return { ...messageView(queued.cipher, queued.row), status, error: status === 'failed' ? 'mail transport error' : null, sentAt: status === 'sent' ? new Date().toISOString() : null };
    },

    async listMessages(ctx: Ctx, applicationId: string) {
      return db.withTenantTx(ctx.orgId, async (tx) => {
        const app = await findApplication(tx, applicationId, assignedScope(ctx));
        if (!app) throw new NotFoundError({ resource: 'Application' });
        const cipher = await loadCipher(tx, ctx.orgId, app.candidate_id);
        const rows = await messagesOfApplication(tx, applicationId);
        await audit.recordIn(tx, ctx.orgId, {
          action: 'candidate.viewed',
          actor: { type: 'user', id: ctx.userId },
          target: { type: 'candidate', id: app.candidate_id },
          metadata: { via: 'messages', applicationId, role: ctx.role },
          requestId: ctx.requestId,
        });
        return { messages: rows.map((m) => messageView(cipher, m)) };
      });
    },

    /**
     * Mails a failed (or stuck pending) message again, same subject and body, to the
     * candidate's current address. Idempotent: a message that already went out is
     * returned as is (retried: false) and never mailed twice; one being sent right now
     * is a 409. The row lock serialises concurrent retries.
     */
    async retry(ctx: Ctx, messageId: string) {
      const claimed = await db.withTenantTx(ctx.orgId, async (tx) => {
        const m = await findMessage(tx, messageId, true);
        const app = m ? await findApplication(tx, m.application_id, assignedScope(ctx)) : null;
        if (!m || !app) throw new NotFoundError({ resource: 'Message' });
        const cipher = await loadCipher(tx, ctx.orgId, app.candidate_id);
        if (m.status === 'sent') return { retried: false as const, row: m, cipher };
        if (m.status === 'pending' && !m.stuck) throw new ConflictError({ detail: 'This message is being sent right now; try again in a few minutes if it stays pending.' });
        const cand = await findCandidate(tx, app.candidate_id);
        if (!cand) throw new NotFoundError({ resource: 'Message' });
        const candidate = decryptCandidate(cipher, cand);
        const row = await claimMessageRetry(tx, messageId);
        const data = { messageId, attempt: row.attempts, previousStatus: m.status, kind: m.template_kind };
        await insertEvent(tx, { orgId: ctx.orgId, applicationId: app.id, type: 'message.retried', actor: { type: 'user', id: ctx.userId }, data });
        await audit.recordIn(tx, ctx.orgId, {
          action: 'message.retried',
          actor: { type: 'user', id: ctx.userId },
          target: { type: 'application', id: app.id },
          metadata: { ...data, candidateId: app.candidate_id },
          requestId: ctx.requestId,
        });
        const out: Outgoing = {
          messageId,
          applicationId: app.id,
          to: candidate.email,
          subject: cipher.openText('messages', 'subject_enc', messageId, row.subject_enc),
          text: cipher.openText('messages', 'body_enc', messageId, row.body_enc),
        };
        return { retried: true as const, row, cipher, out };
      });
      if (!claimed.retried) return { ...messageView(claimed.cipher, claimed.row), retried: false };
      const status = await deliver(ctx.orgId, claimed.out);
      return {
        ...messageView(claimed.cipher, claimed.row),
        status,
        error: status === 'failed' ? 'mail transport error' : null,
        sentAt: status === 'sent' ? new Date().toISOString() : null,
        retried: true,
      };
    },

    /** The org's undelivered messages (failed, or stuck pending): ids and status only, no content. */
    async listUndelivered(ctx: Ctx, f: { status: 'failed' | 'pending'; cursor?: string; limit: number }) {
      const after = decodeCursor(f.cursor);
      const rows = await db.withTenant(ctx.orgId, (q) => listUndelivered(q, { status: f.status, assignedTo: assignedScope(ctx), after, limit: f.limit + 1 }));
      const page = rows.slice(0, f.limit);
      const last = page.at(-1);
      return {
        messages: page.map((r) => ({
          id: r.id,
          applicationId: r.application_id,
          candidateId: r.candidate_id,
          jobId: r.job_id,
          jobTitle: r.job_title,
          kind: r.template_kind,
          origin: r.origin,
          status: r.status,
          error: r.error,
          attempts: r.attempts,
          createdAt: r.created_at.toISOString(),
          lastAttemptAt: r.last_attempt_at.toISOString(),
        })),
        nextCursor: rows.length > f.limit && last ? encodeCursor(last.created_at_text, last.id) : null,
      };
    },

    /** Hook: an application was submitted (after commit). New public applications get "received". */
    async afterSubmit(orgId: string, e: { applicationId: string; created: boolean; source: 'public' | 'upload'; requestId: string | null }): Promise<void> {
      if (e.created && e.source === 'public') await autoSend(orgId, e.applicationId, 'apply', null, e.requestId);
    },

    /** Hook: applications reached a new stage (after commit), by a human's action. */
    async afterStageChange(ctx: Ctx, changes: { applicationId: string; toKind: StageKind }[]): Promise<void> {
      for (const c of changes) {
        if ((SEND_ON as readonly string[]).includes(c.toKind) && c.toKind !== 'rejected') await autoSend(ctx.orgId, c.applicationId, c.toKind as SendOn, ctx.userId, ctx.requestId);
      }
    },
  };
}

export type MessageService = ReturnType<typeof createMessageService>;

// The vocabularies the routes validate against (defined with the queries that store them).
export { SEND_ON, STUCK_PENDING_MINUTES, TEMPLATE_KINDS } from './repo.js';
export type { SendOn, TemplateKind, TemplateTranslations } from './repo.js';
