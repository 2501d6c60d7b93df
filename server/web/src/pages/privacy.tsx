// Data subject requests on the application page (admins, privacy:manage): download what is
// held about the candidate, and erase it on request. Erasure goes through the same path as
// the retention sweep on the server (candidate key destroyed), so it asks for the request's
// reference and an explicit confirmation first.
import { useState } from 'preact/hooks';
import { post, type Application } from '../api.js';
import { ErrorBox, useAction } from '../ui.js';

export interface ErasureResult {
  reference: string;
  applicationsWithdrawn: number;
  interviewsCancelled: number;
}

// Mirrors server/modules/privacy/reference.ts: a ticket or case id, never personal data.
const REFERENCE_PATTERN = '[A-Za-z0-9][A-Za-z0-9 ._:\\/#\\-]{0,119}';

export function PrivacyPanel({ a, onErased }: { a: Application; onErased: (r: ErasureResult) => void }) {
  const [reference, setReference] = useState('');
  const [understood, setUnderstood] = useState(false);
  const erase = useAction();
  return (
    <section aria-labelledby="privacy-h" class="card">
      <h2 id="privacy-h">Privacy requests</h2>
      <p>
        <a href={`/api/v1/candidates/${a.candidate.id}/export`} target="_blank" rel="noopener">
          Download everything held about this candidate
        </a>{' '}
        <span class="muted">(JSON; the download is recorded)</span>
      </p>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void erase.run(async () => onErased(await post<ErasureResult>(`/api/v1/candidates/${a.candidate.id}/erasure`, { reference: reference.trim(), confirm: true })));
        }}
      >
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
