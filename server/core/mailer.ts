// Outgoing mail. With SMTP_URL set, mail goes through SMTP (nodemailer); otherwise (dev
// and tests) each message is appended to an outbox file and kept in memory, and the
// demo prints where to find it. Callers never log recipients or bodies.
import { appendFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import nodemailer from 'nodemailer';

export interface MailMessage {
  to: string;
  subject: string;
  text: string;
  html?: string;
  /** An iCalendar invite: nodemailer sends it as a text/calendar; method=... alternative part (what mail clients show as an invite). */
  icalEvent?: { method: 'REQUEST' | 'CANCEL'; filename?: string; content: string };
  /** A stable Message-ID ("<local@domain>") so a receiver can drop a resent copy; nodemailer makes a random one otherwise. */
  messageId?: string;
}

export interface Mailer {
  send(message: MailMessage): Promise<void>;
  /** Messages kept by the outbox transport (empty with SMTP). */
  readonly outbox: readonly MailMessage[];
}

export function createMailer(options: { smtpUrl: string | null; from: string; outboxDir: string }): Mailer {
  if (options.smtpUrl) {
    // Bounded timeouts (nodemailer's socket default is 10 minutes): a send must end well
    // within ALERT_CLAIM_STALE_MS, after which an unrecorded alert send counts as unknown.
    // Parameters in SMTP_URL still win (nodemailer merges the url over these).
    const transport = nodemailer.createTransport({ url: options.smtpUrl, connectionTimeout: 30_000, greetingTimeout: 30_000, socketTimeout: 60_000 });
    return {
      outbox: [],
      async send(message) {
        await transport.sendMail({ from: options.from, ...message });
      },
    };
  }
  const outbox: MailMessage[] = [];
  const file = path.join(options.outboxDir, 'outbox.jsonl');
  return {
    outbox,
    async send(message) {
      outbox.push(message);
      mkdirSync(options.outboxDir, { recursive: true, mode: 0o700 });
      appendFileSync(file, `${JSON.stringify({ at: new Date().toISOString(), from: options.from, ...message })}\n`, { mode: 0o600 });
    },
  };
}
