// Interview reminders (queue interview-reminder): a mail 24 h and 1 h before the booked
// slot, in the candidate's language with the time in their zone (issue 22 item 1). A reminder belongs to one schedule version:
// after a reschedule or a cancellation the old reminders find a different version or
// status and send nothing.
import type { Logger } from 'pino';
import type { Keyring } from '../../core/crypto.js';
import type { TenantDb } from '../../core/db.js';
import type { Mailer } from '../../core/mailer.js';
import { insertEvent } from '../applications/index.js';
import { decryptCandidate } from '../candidates/index.js';
import { findCandidate } from '../candidates/index.js';
import { findJob } from '../jobs/index.js';
import { noticeFactsIn } from '../notices/index.js';
import { mailNoticeFooter } from '../notices/index.js';
import { mailTranslator, zonedWhen } from './candidate-locale.js';
import { applicationLanguage, findInterview, orgName } from './repo.js';
import type { ReminderKind } from './schedule.js';

export function createReminderService(deps: { db: TenantDb; keyring: Keyring; mailer: Mailer; clock: () => Date; log: Logger }) {
  return {
    async send(orgId: string, interviewId: string, kind: ReminderKind, version: number): Promise<'sent' | 'stale'> {
      const mail = await deps.db.withTenant(orgId, async (q) => {
        const row = await findInterview(q, interviewId);
        if (!row || row.status !== 'scheduled' || row.schedule_version !== version || row.attempts > 0 || !row.scheduled_for) return null;
        if (row.scheduled_for.getTime() <= deps.clock().getTime()) return null;
        const candidate = await findCandidate(q, row.candidate_id);
        const job = await findJob(q, row.job_id, null);
        if (!candidate || !job) return null;
        const person = decryptCandidate(await deps.keyring.candidateCipher(q, orgId, row.candidate_id), candidate);
        const tr = mailTranslator(await applicationLanguage(q, row.application_id), row.candidate_timezone);
        const org = (await orgName(q, orgId)) ?? tr.t('mail.hiringTeam');
        const how = row.mode === 'phone' ? tr.t('mail.reminderPhone') : tr.t('mail.reminderPage');
        return {
          row,
          message: {
            to: person.email,
            subject: tr.t(kind === '1h' ? 'mail.reminderSubjectHour' : 'mail.reminderSubjectDay', { job: job.title }),
            text: `${tr.t('mail.reminderIntro', { job: job.title, org })}\n\n${tr.t('mail.when', { when: zonedWhen(tr, row.scheduled_for) })}\n\n${how}\n\n${mailNoticeFooter(await noticeFactsIn(q, orgId), tr)}`,
          },
        };
      });
      if (!mail) return 'stale';
      await deps.mailer.send(mail.message);
      await deps.db.withTenantTx(orgId, (tx) =>
        insertEvent(tx, { orgId, applicationId: mail.row.application_id, type: 'interview.reminder_sent', actor: { type: 'system' }, data: { interviewId, kind, version } }),
      );
      return 'sent';
    },
  };
}

export type ReminderService = ReturnType<typeof createReminderService>;
