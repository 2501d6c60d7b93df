// A job's application questions (issue 21 item 5) on the job page: the questions candidates
// answer on the apply page and their knock-out rules. The server checks everything again
// (PUT /api/v1/jobs/:id/questions); a knock-out only flags an application for human review.
import { useState } from 'preact/hooks';
import { api, get } from '../api.js';
import { ErrorBox, Loading, Notice, useAction, useData } from '../ui.js';
import { patchAt, removeAt } from '../list-edit.js';

type QType = 'short_text' | 'long_text' | 'single_choice' | 'multiple_choice' | 'yes_no' | 'number' | 'date';
const TYPES: Record<QType, string> = {
  short_text: 'Short text',
  long_text: 'Long text',
  single_choice: 'Single choice',
  multiple_choice: 'Multiple choice',
  yes_no: 'Yes / no',
  number: 'Number',
  date: 'Date',
};
const CHOICE: QType[] = ['single_choice', 'multiple_choice'];

interface Question {
  id: string;
  label: string;
  type: QType;
  required: boolean;
  options?: string[];
  min?: number;
  max?: number;
}
type Rule = { questionId: string; operator: 'equals'; value: boolean } | { questionId: string; operator: 'any_of'; value: string[] } | { questionId: string; operator: 'less_than' | 'greater_than'; value: number };
interface QuestionSet {
  version: number;
  questions: Question[];
  knockouts: Rule[];
}
/** One editable row: the question, its options as lines, and its knock-out rule (if any). */
interface Row {
  q: Question;
  optionsText: string;
  rule: Rule | null;
}

const toRows = (s: QuestionSet): Row[] => s.questions.map((q) => ({ q, optionsText: (q.options ?? []).join('\n'), rule: s.knockouts.find((r) => r.questionId === q.id) ?? null }));

function nextId(rows: Row[]): string {
  for (let n = rows.length + 1; ; n += 1) if (!rows.some((r) => r.q.id === `q${n}`)) return `q${n}`;
}

function body(rows: Row[]) {
  const questions = rows.map(({ q, optionsText }) => {
    const out: Question = { id: q.id, label: q.label, type: q.type, required: q.required };
    if (CHOICE.includes(q.type)) out.options = optionsText.split('\n').map((o) => o.trim()).filter(Boolean);
    if (q.type === 'number') {
      if (q.min !== undefined) out.min = q.min;
      if (q.max !== undefined) out.max = q.max;
    }
    return out;
  });
  return { questions, knockouts: rows.flatMap((r) => (r.rule ? [{ ...r.rule, questionId: r.q.id }] : [])) };
}

function RuleField({ row, onChange }: { row: Row; onChange: (rule: Rule | null) => void }) {
  const { q, rule } = row;
  if (q.type === 'yes_no') {
    const v = rule?.operator === 'equals' ? String(rule.value) : '';
    return (
      <label>
        Knock-out (flags for human review)
        <select value={v} onChange={(e) => onChange(e.currentTarget.value === '' ? null : { questionId: q.id, operator: 'equals', value: e.currentTarget.value === 'true' })}>
          <option value="">None</option>
          <option value="false">When the answer is No</option>
          <option value="true">When the answer is Yes</option>
        </select>
      </label>
    );
  }
  if (CHOICE.includes(q.type)) {
    const options = row.optionsText.split('\n').map((o) => o.trim()).filter(Boolean);
    const chosen = rule?.operator === 'any_of' ? rule.value : [];
    return (
      <fieldset>
        <legend>Knock-out when one of these is chosen (flags for human review)</legend>
        {options.length === 0 ? <p class="muted">Add options first.</p> : null}
        {options.map((o) => (
          <label class="check" key={o}>
            <input
              type="checkbox"
              checked={chosen.includes(o)}
              onChange={(e) => {
                const next = e.currentTarget.checked ? [...chosen, o] : chosen.filter((x) => x !== o);
                onChange(next.length ? { questionId: q.id, operator: 'any_of', value: next } : null);
              }}
            />{' '}
            {o}
          </label>
        ))}
      </fieldset>
    );
  }
  if (q.type === 'number') {
    const op = rule?.operator === 'less_than' || rule?.operator === 'greater_than' ? rule.operator : '';
    const value = rule && typeof rule.value === 'number' ? rule.value : 0;
    return (
      <div class="cols">
        <label>
          Knock-out (flags for human review)
          <select value={op} onChange={(e) => onChange(e.currentTarget.value === '' ? null : { questionId: q.id, operator: e.currentTarget.value as 'less_than' | 'greater_than', value })}>
            <option value="">None</option>
            <option value="less_than">When the answer is below</option>
            <option value="greater_than">When the answer is above</option>
          </select>
        </label>
        {op ? (
          <label>
            Knock-out value
            <input type="number" step="any" value={value} onInput={(e) => onChange({ questionId: q.id, operator: op, value: Number(e.currentTarget.value) })} />
          </label>
        ) : null}
      </div>
    );
  }
  return null;
}

export function QuestionsEditor({ jobId, canWrite }: { jobId: string; canWrite: boolean }) {
  const [rows, setRows] = useState<Row[] | null>(null);
  const [saved, setSaved] = useState<number | null>(null);
  const current = useData(async () => {
    const s = await get<QuestionSet>(`/api/v1/jobs/${jobId}/questions`);
    setRows(toRows(s));
    return s;
  }, [jobId]);
  const save = useAction();
  if (current.error) return <ErrorBox error={current.error} />;
  if (!rows) return <Loading />;
  const update = (i: number, patch: Partial<Row>): void => {
    setSaved(null);
    setRows(patchAt(rows, i, patch));
  };
  const setQ = (i: number, patch: Partial<Question>, row: Row): void => update(i, { q: { ...row.q, ...patch }, ...(patch.type && patch.type !== row.q.type ? { rule: null } : {}) });
  const submit = (e: Event): void => {
    e.preventDefault();
    void save.run(async () => {
      const s = await api<QuestionSet>('PUT', `/api/v1/jobs/${jobId}/questions`, body(rows));
      setSaved(s.version);
      // The heading's version and the rows come back from the server as saved.
      await current.reload();
    });
  };
  return (
    <section aria-labelledby="aq-h" class="card" data-testid="questions-editor">
      <h2 id="aq-h">Application questions</h2>
      <p class="muted">
        Asked on the public apply page{current.data && current.data.version > 0 ? ` (version ${current.data.version})` : ''}. A knock-out never rejects anyone: the application is
        flagged &quot;needs human review&quot; and a person decides. Answers are never sent to the AI.
      </p>
      <form onSubmit={submit} class="editor">
        {rows.length === 0 ? <p class="muted">No application questions.</p> : null}
        {rows.map((row, i) => (
          <fieldset key={row.q.id}>
            <legend>Question {i + 1}</legend>
            <label>
              Question text
              <input required maxLength={300} value={row.q.label} disabled={!canWrite} onInput={(e) => setQ(i, { label: e.currentTarget.value }, row)} />
            </label>
            <div class="cols">
              <label>
                Answer type
                <select value={row.q.type} disabled={!canWrite} onChange={(e) => setQ(i, { type: e.currentTarget.value as QType }, row)}>
                  {(Object.keys(TYPES) as QType[]).map((k) => (
                    <option key={k} value={k}>
                      {TYPES[k]}
                    </option>
                  ))}
                </select>
              </label>
              <label class="check">
                <input type="checkbox" checked={row.q.required} disabled={!canWrite} onChange={(e) => setQ(i, { required: e.currentTarget.checked }, row)} /> Required
              </label>
            </div>
            {CHOICE.includes(row.q.type) ? (
              <label>
                Options (one per line)
                <textarea rows={3} value={row.optionsText} disabled={!canWrite} onInput={(e) => update(i, { optionsText: e.currentTarget.value, rule: null })} />
              </label>
            ) : null}
            {canWrite ? <RuleField row={row} onChange={(rule) => update(i, { rule })} /> : null}
            {canWrite ? (
              <button type="button" class="secondary" onClick={() => setRows(removeAt(rows, i))}>
                Remove question {i + 1}
              </button>
            ) : null}
          </fieldset>
        ))}
        {canWrite ? (
          <>
            <button type="button" class="secondary" disabled={rows.length >= 20} onClick={() => setRows([...rows, { q: { id: nextId(rows), label: '', type: 'short_text', required: false }, optionsText: '', rule: null }])}>
              Add application question
            </button>
            <ErrorBox error={save.error} />
            {saved !== null ? <Notice>Saved as version {saved}.</Notice> : null}
            <button type="submit" disabled={save.busy}>
              {save.busy ? 'Saving…' : 'Save application questions'}
            </button>
          </>
        ) : null}
      </form>
    </section>
  );
}
