// Candidate message templates (admins edit; everyone who works on applications reads
// them, with the allowed variables) and the org's undelivered messages (retry). Loaded as
// its own chunk on first visit.
import { useState } from 'preact/hooks';
import { del, get, patch, post, type Message, type MessageTemplate } from '../api.js';
import { useSession } from '../session.js';
import { ConfirmButton, Empty, ErrorBox, Loading, Notice, useAction, useData, when } from '../ui.js';
import { KIND_LABEL, type TemplatesAnswer } from './messages.js';
import { LoadMore, usePagedList } from '../list.js';

const SEND_ON_LABEL: Record<string, string> = {
  apply: 'when someone applies',
  screening: 'on moving to a screening stage',
  interview: 'on moving to an interview stage',
  offer: 'on moving to an offer stage',
  hired: 'on moving to a hired stage',
  withdrawn: 'on moving to a withdrawn stage',
};

/** Which automatic triggers a template kind may have (rejections are never automatic). */
function sendOnChoices(kind: string): string[] {
  if (kind === 'rejection') return [];
  if (kind === 'application_received') return ['apply'];
  return ['screening', 'interview', 'offer', 'hired', 'withdrawn'];
}


export function Templates() {
  const session = useSession();
  const manage = session.can('settings:manage');
  const list = useData(() => get<TemplatesAnswer>('/api/v1/message-templates'), []);
  const [editing, setEditing] = useState<string | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const act = useAction();
  const variables = list.data?.variables ?? [];
  return (
    <section aria-labelledby="tpl-h">
      <div class="page-head">
        <h1 id="tpl-h">Message templates</h1>
        {manage && editing !== 'new' ? (
          <button type="button" onClick={() => (setMessage(null), setEditing('new'))}>
            New template
          </button>
        ) : null}
      </div>
      <p class="muted">Emails to candidates. Sent from an application's page, or automatically on the event a template names. Rejections are only ever sent by a person, after a recorded decision.</p>
      {session.can('candidates:write') ? <Undelivered /> : null}
      <h2>Templates</h2>
      {variables.length ? (
        <div class="card variables" aria-labelledby="var-h">
          <h3 id="var-h">Variables</h3>
          <p>Write these in a subject or body; they are filled in for each candidate. Anything else in double braces is refused.</p>
          <ul class="chips" aria-label="Variables">
            {variables.map((v) => (
              <li key={v}>
                <code>{`{{${v}}}`}</code>
              </li>
            ))}
          </ul>
        </div>
      ) : null}
      <ErrorBox error={list.error ?? act.error} />
      {message ? <Notice>{message}</Notice> : null}
      {editing === 'new' ? (
        <TemplateForm
          template={null}
          variables={variables}
          onCancel={() => setEditing(null)}
          onSaved={async (t) => {
            await list.reload();
            setEditing(null);
            setMessage(`Template "${t.name}" created.`);
          }}
        />
      ) : null}
      {list.loading ? (
        <Loading />
      ) : (list.data?.templates ?? []).length === 0 ? (
        <Empty title="No templates yet.">{manage ? 'Create one with "New template", e.g. an application-received confirmation sent when someone applies.' : 'An admin can create templates; until then messages are written as free text.'}</Empty>
      ) : (
        <ul class="rows" aria-label="Templates">
          {(list.data?.templates ?? []).map((t) =>
            editing === t.id ? (
              <li key={t.id}>
                <TemplateForm
                  template={t}
                  variables={variables}
                  onCancel={() => setEditing(null)}
                  onSaved={async (saved) => {
                    await list.reload();
                    setEditing(null);
                    setMessage(`Template "${saved.name}" saved.`);
                  }}
                />
              </li>
            ) : (
              <li key={t.id} class="row template">
                <div>
                  <p class="row-title">{t.name}</p>
                  <p>
                    <span class="badge">{KIND_LABEL[t.kind] ?? t.kind}</span> <span class="muted">{t.sendOn ? `sent automatically ${SEND_ON_LABEL[t.sendOn] ?? t.sendOn}` : 'sent by hand'} · updated {when(t.updatedAt)}</span>
                  </p>
                  <p>
                    <strong>Subject:</strong> {t.subject}
                  </p>
                  <p class="template-body">{t.body}</p>
                  {Object.keys(t.translations ?? {}).length > 0 ? <p class="muted">Also in: {Object.keys(t.translations).sort().join(', ')}</p> : null}
                </div>
                {manage ? (
                  <div class="row-actions">
                    <button type="button" class="secondary" aria-label={`Edit ${t.name}`} onClick={() => (setMessage(null), setEditing(t.id))}>
                      Edit
                    </button>
                    <ConfirmButton
                      class="danger"
                      aria-label={`Delete ${t.name}`}
                      action={act}
                      confirm={`Delete the template "${t.name}"? Messages already sent stay on the candidates' timelines.`}
                      onConfirm={async () => {
                        await del(`/api/v1/message-templates/${t.id}`);
                        await list.reload();
                        setMessage(`Template "${t.name}" deleted.`);
                      }}
                    >
                      Delete
                    </ConfirmButton>
                  </div>
                ) : null}
              </li>
            ),
          )}
        </ul>
      )}
    </section>
  );
}

interface UndeliveredMessage {
  id: string;
  applicationId: string;
  jobTitle: string;
  kind: string;
  origin: string;
  status: string;
  error: string | null;
  attempts: number;
  createdAt: string;
  lastAttemptAt: string;
}

/** The org's messages that did not reach the candidate (no content here; open the application to read it). */
function Undelivered() {
  const [note, setNote] = useState<string | null>(null);
  const list = usePagedList(
    async (cursor: string | null) => {
      const res = await get<{ messages: UndeliveredMessage[]; nextCursor: string | null }>(`/api/v1/messages?status=failed&limit=25${cursor === null ? '' : `&cursor=${encodeURIComponent(cursor)}`}`);
      return { items: res.messages, next: res.nextCursor };
    },
    [],
    { pollMs: 60_000 },
  );
  const { page: first, more, items } = list;
  const retry = useAction();
  if (first.loading) return null;
  return (
    <section class="card" aria-labelledby="und-h">
      <h2 id="und-h">Undelivered messages</h2>
      <ErrorBox error={first.error ?? more.error ?? retry.error} />
      {note ? <Notice>{note}</Notice> : null}
      {items.length === 0 ? (
        <p class="muted">Every message was delivered.</p>
      ) : (
        <ul class="log" aria-label="Undelivered messages">
          {items.map((m) => (
            <li key={m.id}>
              <a href={`/app/applications/${m.applicationId}`}>{m.jobTitle}: application</a> · {KIND_LABEL[m.kind] ?? (m.kind === 'free_text' ? 'Free text' : m.kind)} · {m.error ?? 'not delivered'} · {m.attempts} attempt{m.attempts === 1 ? '' : 's'}, last {when(m.lastAttemptAt)}{' '}
              <button
                type="button"
                class="secondary"
                disabled={retry.busy}
                onClick={() =>
                  void retry.run(async () => {
                    const r = await post<Message>(`/api/v1/messages/${m.id}/retry`);
                    setNote(r.status === 'sent' ? 'Message sent.' : `Still not delivered${r.error ? `: ${r.error}` : ''}.`);
                    await first.reload();
                  })
                }
              >
                Retry
              </button>
            </li>
          ))}
        </ul>
      )}
      <LoadMore list={list} label="Load more" />
    </section>
  );
}

/** The candidate languages hirebox ships, each named in itself. */
const TEMPLATE_LANGUAGES: [string, string][] = [
  ['en', 'English'],
  ['de', 'Deutsch'],
  ['fr', 'Français'],
  ['es', 'Español'],
  ['nl', 'Nederlands'],
];

function TemplateForm({ template, variables, onCancel, onSaved }: { template: MessageTemplate | null; variables: string[]; onCancel: () => void; onSaved: (t: MessageTemplate) => Promise<void> }) {
  const [name, setName] = useState(template?.name ?? '');
  const [kind, setKind] = useState(template?.kind ?? 'generic');
  const [subject, setSubject] = useState(template?.subject ?? '');
  const [body, setBody] = useState(template?.body ?? '');
  const [sendOn, setSendOn] = useState(template?.sendOn ?? '');
  const [translations, setTranslations] = useState<Record<string, { subject: string; body: string }>>(template?.translations ?? {});
  const save = useAction();
  const choices = sendOnChoices(kind);
  const prefix = template ? `tpl-${template.id}` : 'tpl-new';
  return (
    <form
      class="card"
      aria-label={template ? `Edit template ${template.name}` : 'New template'}
      onSubmit={(e) => {
        e.preventDefault();
        void save.run(async () => {
          const trigger = choices.includes(sendOn) ? sendOn : null;
          // A language with both fields empty has no variant; one half-filled is the API's 400.
          const variants = Object.fromEntries(Object.entries(translations).filter(([, v]) => v.subject.trim() || v.body.trim()));
          const saved = template
            ? await patch<MessageTemplate>(`/api/v1/message-templates/${template.id}`, { name, subject, body, sendOn: trigger, translations: variants })
            : await post<MessageTemplate>('/api/v1/message-templates', { name, kind, subject, body, sendOn: trigger, translations: variants });
          await onSaved(saved);
        });
      }}
    >
      <h2>{template ? `Edit "${template.name}"` : 'New template'}</h2>
      <div class="cols">
        <label>
          Name
          <input name="name" required maxLength={100} value={name} onInput={(e) => setName(e.currentTarget.value)} />
        </label>
        <label>
          Kind
          <select name="kind" value={kind} disabled={Boolean(template)} onChange={(e) => setKind(e.currentTarget.value)}>
            {Object.entries(KIND_LABEL).map(([v, l]) => (
              <option key={v} value={v}>
                {l}
              </option>
            ))}
          </select>
        </label>
        <label>
          Send automatically
          <select name="sendOn" value={choices.includes(sendOn) ? sendOn : ''} disabled={choices.length === 0} onChange={(e) => setSendOn(e.currentTarget.value)}>
            <option value="">No, only by hand</option>
            {choices.map((c) => (
              <option key={c} value={c}>
                Yes, {SEND_ON_LABEL[c]}
              </option>
            ))}
          </select>
        </label>
      </div>
      {kind === 'rejection' ? <p class="muted hint">Rejections are never sent automatically.</p> : null}
      <label>
        Subject
        <input name="subject" required maxLength={200} value={subject} onInput={(e) => setSubject(e.currentTarget.value)} />
      </label>
      <label>
        Body
        <textarea name="body" required rows={8} maxLength={10000} value={body} onInput={(e) => setBody(e.currentTarget.value)} aria-describedby={`${prefix}-vars`} />
      </label>
      <p class="muted hint" id={`${prefix}-vars`}>
        Variables: {variables.map((v) => `{{${v}}}`).join(', ')}
      </p>
      <details class="translations" open={Object.keys(translations).length > 0}>
        <summary>In the candidate's language (optional)</summary>
        <p class="muted hint">A candidate who applied in one of these languages gets that wording; everyone else gets the text above. The privacy footer is added in the candidate's language either way.</p>
        {TEMPLATE_LANGUAGES.map(([code, language]) => {
          const v = translations[code] ?? { subject: '', body: '' };
          const set = (next: { subject: string; body: string }) => setTranslations({ ...translations, [code]: next });
          return (
            <fieldset key={code} lang={code}>
              <legend>{language}</legend>
              <label>
                Subject ({language})
                <input name={`subject-${code}`} maxLength={200} value={v.subject} onInput={(e) => set({ ...v, subject: e.currentTarget.value })} />
              </label>
              <label>
                Body ({language})
                <textarea name={`body-${code}`} rows={4} maxLength={10000} value={v.body} onInput={(e) => set({ ...v, body: e.currentTarget.value })} />
              </label>
            </fieldset>
          );
        })}
      </details>
      <ErrorBox error={save.error} />
      <button type="submit" disabled={save.busy}>
        {template ? 'Save template' : 'Create template'}
      </button>
      <button type="button" class="secondary" onClick={onCancel}>
        Cancel
      </button>
    </form>
  );
}

