// The privacy-request register (issue 18 item 6; admins write, auditors read): every data
// subject request with its GDPR Art. 12(3) due date, overdue ones marked; admins register
// new requests, record the identity check, extend (with a reason), refuse (with a reason)
// or close them. Export, erasure and rectification on the application page close the
// request they answer. Also the AI documentation downloads (issue 18 item 10).
import { useState } from 'preact/hooks';
import { get, patch, post, qs } from '../api.js';
import { useSession } from '../session.js';
import { Empty, ErrorBox, Loading, useAction, useData } from '../ui.js';

export interface PrivacyRequest {
  id: string;
  reference: string;
  type: string;
  receivedOn: string;
  identityStatus: string;
  identityMethod: string | null;
  dueOn: string;
  extensionMonths: number;
  extensionReason: string | null;
  status: string;
  refusalReason: string | null;
  candidateId: string | null;
  closedBy: string | null;
  overdue: boolean;
  daysLeft: number | null;
}

// human_review (issue 22): a person reviews an automated step (GDPR Art. 22(3)); candidates also ask for it on their status page.
const TYPES = ['access', 'erasure', 'rectification', 'objection', 'restriction', 'human_review'];
const REFERENCE_PATTERN = '[A-Za-z0-9][A-Za-z0-9 ._:\\/#\\-]{0,119}';

/** Open requests about one candidate: what the application page offers to close. */
export function useOpenRequests(candidateId: string) {
  return useData(() => get<{ items: PrivacyRequest[] }>(`/api/v1/privacy-requests${qs({ candidateId })}`), [candidateId]);
}

function RequestRow({ r, canWrite, onChanged }: { r: PrivacyRequest; canWrite: boolean; onChanged: () => void }) {
  const [reason, setReason] = useState('');
  const act = useAction();
  const open = r.status === 'open' || r.status === 'in_progress';
  const update = (body: Record<string, unknown>) => void act.run(async () => { await patch(`/api/v1/privacy-requests/${r.id}`, body); onChanged(); });
  return (
    <tr class={r.overdue ? 'overdue' : undefined}>
      <td>{r.reference}</td>
      <td>{r.type}</td>
      <td>{r.receivedOn}</td>
      <td>
        {r.dueOn}
        {r.overdue ? <strong class="danger"> overdue ({-(r.daysLeft ?? 0)} days)</strong> : r.daysLeft !== null ? <span class="muted"> ({r.daysLeft} days left)</span> : null}
        {r.extensionMonths ? <div class="muted">extended {r.extensionMonths} month(s): {r.extensionReason}</div> : null}
      </td>
      <td>
        {r.identityStatus}
        {r.identityMethod ? <div class="muted">{r.identityMethod}</div> : null}
      </td>
      <td>
        {r.status}
        {r.closedBy ? <span class="muted"> (by {r.closedBy})</span> : null}
        {r.refusalReason ? <div class="muted">{r.refusalReason}</div> : null}
      </td>
      <td>
        {canWrite && open ? (
          <div class="actions">
            {r.identityStatus !== 'verified' ? <button type="button" onClick={() => update({ identityStatus: 'verified' })}>Identity verified</button> : null}
            {r.status === 'open' ? <button type="button" onClick={() => update({ status: 'in_progress' })}>In progress</button> : null}
            {r.identityStatus === 'verified' ? <button type="button" onClick={() => update({ status: 'done' })}>Done</button> : null}
            <input aria-label={`Reason for ${r.reference}`} placeholder="Reason (extension or refusal)" maxLength={500} value={reason} onInput={(e) => setReason(e.currentTarget.value)} />
            {r.extensionMonths < 2 ? (
              <button type="button" disabled={!reason.trim()} onClick={() => update({ extensionMonths: r.extensionMonths + 1, extensionReason: reason.trim() })}>
                Extend 1 month
              </button>
            ) : null}
            <button type="button" class="danger" disabled={!reason.trim()} onClick={() => update({ status: 'refused', refusalReason: reason.trim() })}>
              Refuse
            </button>
            <ErrorBox error={act.error} />
          </div>
        ) : null}
      </td>
    </tr>
  );
}

export function PrivacyRegister() {
  const session = useSession();
  const canWrite = session.can('privacy:manage');
  const list = useData(() => get<{ items: PrivacyRequest[] }>('/api/v1/privacy-requests'), []);
  const [form, setForm] = useState({ reference: '', type: 'access', receivedOn: new Date().toISOString().slice(0, 10), identityMethod: '' });
  const create = useAction();
  return (
    <div>
      <h1>Privacy requests</h1>
      <p class="muted">Each request is due one month after it was received (GDPR Art. 12(3)); it can be extended by two further months with a reason. Overdue and due-soon requests raise alerts daily.</p>
      {canWrite ? (
        <form
          class="card"
          onSubmit={(e) => {
            e.preventDefault();
            void create.run(async () => {
              await post('/api/v1/privacy-requests', { reference: form.reference.trim(), type: form.type, receivedOn: form.receivedOn, ...(form.identityMethod.trim() ? { identityMethod: form.identityMethod.trim() } : {}) });
              setForm({ ...form, reference: '', identityMethod: '' });
              await list.reload();
            });
          }}
        >
          <h2>Register a request</h2>
          <label>
            Reference (ticket or case id, no personal data)
            <input name="reference" required maxLength={120} pattern={REFERENCE_PATTERN} value={form.reference} onInput={(e) => setForm({ ...form, reference: e.currentTarget.value })} />
          </label>
          <label>
            Type
            <select name="type" value={form.type} onChange={(e) => setForm({ ...form, type: e.currentTarget.value })}>
              {TYPES.map((t) => (
                <option value={t}>{t}</option>
              ))}
            </select>
          </label>
          <label>
            Received on
            <input name="receivedOn" type="date" required value={form.receivedOn} onInput={(e) => setForm({ ...form, receivedOn: e.currentTarget.value })} />
          </label>
          <label>
            Identity check method (optional)
            <input name="identityMethod" maxLength={200} value={form.identityMethod} onInput={(e) => setForm({ ...form, identityMethod: e.currentTarget.value })} />
          </label>
          <ErrorBox error={create.error} />
          <button type="submit" disabled={create.busy}>
            Register
          </button>
        </form>
      ) : null}
      {list.loading ? <Loading /> : null}
      <ErrorBox error={list.error} />
      {list.data && list.data.items.length === 0 ? <Empty title="No privacy requests registered" /> : null}
      {list.data && list.data.items.length > 0 ? (
        <table class="register">
          <thead>
            <tr>
              <th>Reference</th>
              <th>Type</th>
              <th>Received</th>
              <th>Due</th>
              <th>Identity</th>
              <th>Status</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {list.data.items.map((r) => (
              <RequestRow key={r.id} r={r} canWrite={canWrite} onChanged={() => void list.reload()} />
            ))}
          </tbody>
        </table>
      ) : null}
      {canWrite ? (
        <section class="card">
          <h2>AI and processing documentation</h2>
          <p class="muted">Generated now from the live configuration and this org's settings.</p>
          <ul>
            {(
              [
                ['system-card', 'AI system card'],
                ['subprocessors', 'Subprocessors'],
                ['processing-record', 'Record of processing activities'],
              ] as const
            ).map(([doc, label]) => (
              <li key={doc}>
                {label}: <a href={`/api/v1/org/documents/${doc}?format=md`} download>Markdown</a> · <a href={`/api/v1/org/documents/${doc}?format=pdf`} download>PDF</a>
              </li>
            ))}
          </ul>
        </section>
      ) : null}
    </div>
  );
}
