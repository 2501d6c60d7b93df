// Data subject requests on the application page (admins, privacy:manage): download what is
// held about the candidate, correct it (rectification), and erase it on request. Erasure
// goes through the same path as the retention sweep on the server (candidate key
// destroyed), so it asks for the request's reference and an explicit confirmation first.
// Each action can name the register entry it answers (issue 18 item 6): the server closes
// that request in the same transaction.
import { useState } from 'preact/hooks';
import { get, patch, post, type Application } from '../api.js';
import { ErrorBox, useAction, useData } from '../ui.js';
import type { PrivacyRequest } from './privacy-register.js';

export interface ErasureResult {
  reference: string;
  applicationsWithdrawn: number;
  interviewsCancelled: number;
}

// Mirrors server/modules/privacy/reference.ts: a ticket or case id, never personal data.
const REFERENCE_PATTERN = '[A-Za-z0-9][A-Za-z0-9 ._:\\/#\\-]{0,119}';

/** Open requests of a type about this candidate, or not yet linked to anyone. */
function RequestPicker({ requests, type, value, onChange }: { requests: PrivacyRequest[]; type: string; value: string; onChange: (id: string) => void }) {
  const fitting = requests.filter((r) => r.type === type);
  if (fitting.length === 0) return null;
  return (
    <label>
      Answers the {type} request
      <select name={`${type}Request`} value={value} onChange={(e) => onChange(e.currentTarget.value)}>
        <option value="">(none)</option>
        {fitting.map((r) => (
          <option value={r.id}>
            {r.reference} (due {r.dueOn}
            {r.identityStatus !== 'verified' ? ', identity not verified' : ''})
          </option>
        ))}
      </select>
    </label>
  );
}

function Rectify({ a, requests, onDone }: { a: Application; requests: PrivacyRequest[]; onDone: () => void }) {
  const c = a.candidate;
  const [fields, setFields] = useState({ name: c.name, email: c.email, phone: c.phone ?? '', location: c.location ?? '' });
  const [requestId, setRequestId] = useState('');
  const [changed, setChanged] = useState<string[] | null>(null);
  const act = useAction();
  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        const body: Record<string, string | null> = {};
        if (fields.name.trim() !== c.name) body.name = fields.name.trim();
        if (fields.email.trim() !== c.email) body.email = fields.email.trim();
        if (fields.phone.trim() !== (c.phone ?? '')) body.phone = fields.phone.trim() || null;
        if (fields.location.trim() !== (c.location ?? '')) body.location = fields.location.trim() || null;
        if (requestId) body.privacyRequestId = requestId;
        void act.run(async () => {
          const r = await patch<{ changed: string[] }>(`/api/v1/candidates/${c.id}`, body);
          setChanged(r.changed);
          onDone();
        });
      }}
    >
      <h3>Correct the candidate's details (rectification)</h3>
      <label>
        Name <input name="rectifyName" required maxLength={200} value={fields.name} onInput={(e) => setFields({ ...fields, name: e.currentTarget.value })} />
      </label>
      <label>
        E-mail <input name="rectifyEmail" type="email" required maxLength={254} value={fields.email} onInput={(e) => setFields({ ...fields, email: e.currentTarget.value })} />
      </label>
      <label>
        Phone <input name="rectifyPhone" type="tel" maxLength={40} value={fields.phone} onInput={(e) => setFields({ ...fields, phone: e.currentTarget.value })} />
      </label>
      <label>
        Location <input name="rectifyLocation" maxLength={200} value={fields.location} onInput={(e) => setFields({ ...fields, location: e.currentTarget.value })} />
      </label>
      <RequestPicker requests={requests} type="rectification" value={requestId} onChange={setRequestId} />
      <ErrorBox error={act.error} />
      {changed ? <p role="status">{changed.length ? `Corrected: ${changed.join(', ')} (recorded in the audit log, without the values).` : 'Nothing changed.'}</p> : null}
      <button type="submit" disabled={act.busy}>
        Save corrections
      </button>
    </form>
  );
}

export function PrivacyPanel({ a, onErased }: { a: Application; onErased: (r: ErasureResult) => void }) {
  const [reference, setReference] = useState('');
  const [understood, setUnderstood] = useState(false);
  const [accessRequest, setAccessRequest] = useState('');
  const [erasureRequest, setErasureRequest] = useState('');
  const erase = useAction();
  const open = useData(() => get<{ items: PrivacyRequest[] }>('/api/v1/privacy-requests?status=open&status=in_progress'), [a.candidate.id]);
  const requests = (open.data?.items ?? []).filter((r) => r.candidateId === a.candidate.id || r.candidateId === null);
  return (
    <section aria-labelledby="privacy-h" class="card">
      <h2 id="privacy-h">Privacy requests</h2>
      <RequestPicker requests={requests} type="access" value={accessRequest} onChange={setAccessRequest} />
      <p>
        <a href={`/api/v1/candidates/${a.candidate.id}/export${accessRequest ? `?privacyRequestId=${accessRequest}` : ''}`} target="_blank" rel="noopener">
          Download everything held about this candidate
        </a>{' '}
        <span class="muted">(JSON; the download is recorded{accessRequest ? ' and closes the access request' : ''})</span>
      </p>
      <Rectify a={a} requests={requests} onDone={() => void open.reload()} />
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void erase.run(async () =>
            onErased(await post<ErasureResult>(`/api/v1/candidates/${a.candidate.id}/erasure`, { reference: reference.trim(), confirm: true, ...(erasureRequest ? { privacyRequestId: erasureRequest } : {}) })),
          );
        }}
      >
        <h3>Erase</h3>
        <RequestPicker requests={requests} type="erasure" value={erasureRequest} onChange={setErasureRequest} />
        <label>
          Erasure request reference (ticket or case id, no personal data)
          <input name="erasureReference" required maxLength={120} pattern={REFERENCE_PATTERN} value={reference} onInput={(e) => setReference(e.currentTarget.value)} />
        </label>
        <label>
          <input type="checkbox" name="erasureConfirm" required checked={understood} onChange={(e) => setUnderstood(e.currentTarget.checked)} /> I understand: the candidate's personal data, CVs,
          notes, messages and interview transcripts are destroyed for good; open applications are withdrawn
        </label>
        <ErrorBox error={erase.error} />
        <button type="submit" class="danger" disabled={erase.busy || !understood}>
          Erase candidate data
        </button>
      </form>
    </section>
  );
}
