// Pipeline editor for the org default (/api/v1/pipeline) and a job's own pipeline
// (/api/v1/jobs/:id/pipeline): rename, add, reorder and remove stages, each mapped to the
// fixed kind automation and reports understand. Kept stages keep their ids; a removed stage
// that holds applications needs a destination (remap), which the form asks for. The server
// enforces the rules (first stage "new", stages of kind rejected and hired, unique names)
// and its refusals are shown as they come.
import { useState } from 'preact/hooks';
import { get, put } from '../api.js';
import { ErrorBox, Notice, NotLoaded, useAction, useData } from '../ui.js';
import { patchAt, removeAt } from '../list-edit.js';

const KINDS = ['new', 'screening', 'interview', 'offer', 'hired', 'rejected', 'withdrawn'] as const;
interface Stage {
  id?: string;
  name: string;
  kind: string;
}
type Saved = { stages: (Stage & { id: string; position: number })[] };

export function PipelineEditor({ url, title, intro, canWrite }: { url: string; title: string; intro: string; canWrite: boolean }) {
  const saved = useData(async () => (await get<Saved>(url)).stages, [url]);
  const [draft, setDraft] = useState<Stage[] | null>(null);
  const [remap, setRemap] = useState<Record<string, number>>({});
  const [done, setDone] = useState(false);
  const save = useAction();
  if (!saved.data) return <NotLoaded error={saved.error} card />;
  const stages = draft ?? saved.data.map(({ id, name, kind }) => ({ id, name, kind }));
  const removed = saved.data.filter((s) => !stages.some((x) => x.id === s.id));
  const change = (next: Stage[]): void => {
    setDone(false);
    setDraft(next);
  };
  const move = (i: number, by: number): void => {
    const next = [...stages];
    const [s] = next.splice(i, 1);
    if (s) next.splice(i + by, 0, s);
    change(next);
  };
  const headingId = `pe-${url.replace(/[^a-z0-9]/gi, '-')}`;
  return (
    <form
      class="card pipeline-editor"
      aria-labelledby={headingId}
      onSubmit={(e) => {
        e.preventDefault();
        void save.run(async () => {
          const body = {
            stages: stages.map((s) => ({ ...(s.id ? { id: s.id } : {}), name: s.name.trim(), kind: s.kind })),
            ...(removed.length ? { remap: removed.map((r) => ({ from: r.id, toIndex: Math.min(remap[r.id] ?? 0, stages.length - 1) })) } : {}),
          };
          const res = await put<Saved>(url, body);
          saved.setData(res.stages);
          setDraft(null);
          setRemap({});
          setDone(true);
        });
      }}
    >
      <h2 id={headingId}>{title}</h2>
      <p class="muted">{intro}</p>
      <ol class="stages" aria-label="Stages">
        {stages.map((s, i) => (
          <li key={s.id ?? `new-${i}`} class="stage-row">
            <label>
              Stage {i + 1} name
              <input name={`stage-${i}-name`} required maxLength={80} disabled={!canWrite} value={s.name} onInput={(e) => change(patchAt(stages, i, { name: e.currentTarget.value }))} />
            </label>
            <label>
              Kind
              <select name={`stage-${i}-kind`} disabled={!canWrite} value={s.kind} onChange={(e) => change(patchAt(stages, i, { kind: e.currentTarget.value }))}>
                {KINDS.map((k) => (
                  <option key={k} value={k}>
                    {k}
                  </option>
                ))}
              </select>
            </label>
            {canWrite ? (
              <span class="row-actions">
                <button type="button" class="secondary" aria-label={`Move ${s.name || `stage ${i + 1}`} up`} disabled={i === 0} onClick={() => move(i, -1)}>
                  ↑
                </button>
                <button type="button" class="secondary" aria-label={`Move ${s.name || `stage ${i + 1}`} down`} disabled={i === stages.length - 1} onClick={() => move(i, 1)}>
                  ↓
                </button>
                <button type="button" class="danger" aria-label={`Remove ${s.name || `stage ${i + 1}`}`} disabled={stages.length <= 3} onClick={() => change(removeAt(stages, i))}>
                  Remove
                </button>
              </span>
            ) : null}
          </li>
        ))}
      </ol>
      {removed.length ? (
        <fieldset>
          <legend>Removed stages: where do their applications go?</legend>
          {removed.map((r) => (
            <label key={r.id}>
              Applications in "{r.name}" move to
              <select value={String(remap[r.id] ?? 0)} onChange={(e) => setRemap({ ...remap, [r.id]: Number(e.currentTarget.value) })}>
                {stages.map((s, i) => (
                  <option key={i} value={String(i)}>
                    {s.name || `stage ${i + 1}`} ({s.kind})
                  </option>
                ))}
              </select>
            </label>
          ))}
        </fieldset>
      ) : null}
      <ErrorBox error={save.error} />
      {done ? <Notice>Pipeline saved.</Notice> : null}
      {canWrite ? (
        <>
          <button type="button" class="secondary" disabled={stages.length >= 20} onClick={() => change([...stages, { name: '', kind: 'screening' }])}>
            Add stage
          </button>
          <button type="submit" disabled={save.busy || !draft}>
            Save pipeline
          </button>
          {draft ? (
            <button type="button" class="secondary" onClick={() => (setDraft(null), setRemap({}), save.setError(null))}>
              Discard changes
            </button>
          ) : null}
        </>
      ) : null}
    </form>
  );
}
