// The messages panel on an application: sent history with failures (and retry), sending a
// template or free text. The templates screen is pages/templates.tsx.
import { useState } from 'preact/hooks';
import { ApiError, get, post, type Application, type Message, type MessageTemplate } from '../api.js';
import { useSession } from '../session.js';
import { ErrorBox, Loading, Notice, useAction, useData, when } from '../ui.js';

export const KIND_LABEL: Record<string, string> = { application_received: 'Application received', interview_invite: 'Interview invitation', rejection: 'Rejection', generic: 'General' };

export type TemplatesAnswer = { templates: MessageTemplate[]; variables: string[] };

const STATUS_LABEL: Record<string, string> = { pending: 'sending…', sent: 'sent', failed: 'failed' };


/** The application's messages: history (failures visible) and a form to send one. */
export function MessagesPanel({ a, onSent }: { a: Application; onSent: () => void }) {
  const session = useSession();
  const canSend = session.can('candidates:write');
  const list = useData(
    async () => (await get<{ messages: Message[] }>(`/api/v1/applications/${a.id}/messages`)).messages,
    [a.id],
    // A message is mailed after its transaction commits: poll briefly while one is pending.
    (ms) => (ms?.some((m) => m.status === 'pending') ? 3000 : undefined),
  );
  const templates = useData(async () => (canSend ? (await get<TemplatesAnswer>('/api/v1/message-templates')).templates : []), [canSend]);
  const [templateId, setTemplateId] = useState('');
  const [subject, setSubject] = useState('');
  const [body, setBody] = useState('');
  const [confirm, setConfirm] = useState(false);
  const [needsConfirm, setNeedsConfirm] = useState(false);
  const [sent, setSent] = useState<string | null>(null);
  const send = useAction();
  const retry = useAction();
  const chosen = templates.data?.find((t) => t.id === templateId) ?? null;
  const confirmShown = needsConfirm || a.stage.kind === 'rejected' || chosen?.kind === 'rejection';
  return (
    <section aria-labelledby="msg-h" class="card">
      <h2 id="msg-h">Messages</h2>
      <ErrorBox error={list.error ?? retry.error} />
      {list.loading ? (
        <Loading />
      ) : (list.data ?? []).length === 0 ? (
        <p class="muted">No messages sent yet.{canSend ? ' Send one below; it is kept on the timeline.' : ''}</p>
      ) : (
        <ul class="log" aria-label="Messages">
          {(list.data ?? []).map((m) => (
            <li key={m.id} class={m.status === 'failed' ? 'msg-failed' : undefined}>
              <strong>{m.subject}</strong> <span class={`badge msg-${m.status}`}>{STATUS_LABEL[m.status] ?? m.status}</span>
              <span class="muted">
                {' '}
                · {KIND_LABEL[m.kind] ?? m.kind} · {m.origin === 'manual' ? 'sent by hand' : m.origin} · {when(m.sentAt ?? m.createdAt)}
              </span>
              {m.status === 'failed' ? (
                <p class="error">
                  Not delivered{m.error ? `: ${m.error}` : ''}{m.attempts ? ` (${m.attempts} attempt${m.attempts === 1 ? '' : 's'})` : ''}.{' '}
                  {canSend ? (
                    <button
                      type="button"
                      class="secondary"
                      aria-label={`Retry sending "${m.subject}"`}
                      disabled={retry.busy}
                      onClick={() =>
                        void retry.run(async () => {
                          const r = await post<Message>(`/api/v1/messages/${m.id}/retry`);
                          await list.reload();
                          setSent(r.status === 'sent' ? `"${r.subject}" sent.` : `"${r.subject}" is still not delivered${r.error ? `: ${r.error}` : ''}. Try again later.`);
                          onSent();
                        })
                      }
                    >
                      Retry
                    </button>
                  ) : null}
                </p>
              ) : null}
              <details>
                <summary>Show text</summary>
                <p>{m.body}</p>
              </details>
            </li>
          ))}
        </ul>
      )}
      {canSend ? (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            setSent(null);
            void send.run(async () => {
              let result = '';
              try {
                const m = await post<Message>(`/api/v1/applications/${a.id}/messages`, templateId ? { templateId, ...(confirm ? { confirm: true } : {}) } : { subject, body, ...(confirm ? { confirm: true } : {}) });
                result = m.status === 'failed' ? `The message was kept but not delivered${m.error ? ` (${m.error})` : ''}: retry it from the list above.` : 'Message sent.';
              } catch (err) {
                if (err instanceof ApiError && err.status === 409 && (err.problem as { requiresConfirmation?: boolean }).requiresConfirmation) setNeedsConfirm(true);
                throw err;
              }
              setSent(result);
              setSubject('');
              setBody('');
              setConfirm(false);
              setNeedsConfirm(false);
              await list.reload();
              onSent();
            });
          }}
        >
          <h3>Send a message</h3>
          <label>
            Template
            <select name="templateId" value={templateId} onChange={(e) => setTemplateId(e.currentTarget.value)}>
              <option value="">Free text (no template)</option>
              {(templates.data ?? []).map((t) => (
                <option key={t.id} value={t.id}>
                  {t.name} ({KIND_LABEL[t.kind] ?? t.kind})
                </option>
              ))}
            </select>
          </label>
          {chosen ? (
            <p class="muted hint">
              Subject: {chosen.subject}. Variables are filled in for this candidate.
            </p>
          ) : (
            <>
              <label>
                Subject
                <input name="messageSubject" required maxLength={200} value={subject} onInput={(e) => setSubject(e.currentTarget.value)} />
              </label>
              <label>
                Message
                <textarea name="messageBody" required rows={5} maxLength={10000} value={body} onInput={(e) => setBody(e.currentTarget.value)} />
              </label>
            </>
          )}
          {confirmShown ? (
            <label class="check">
              <input type="checkbox" name="confirm" checked={confirm} onChange={(e) => setConfirm(e.currentTarget.checked)} /> I confirm sending this to a rejected candidate / sending a rejection (needs a recorded reject decision)
            </label>
          ) : null}
          <ErrorBox error={send.error ?? templates.error} />
          {sent ? <Notice>{sent}</Notice> : null}
          <button type="submit" class="secondary" disabled={send.busy}>
            Send message
          </button>
        </form>
      ) : null}
    </section>
  );
}
