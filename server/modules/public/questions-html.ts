// The job's application questions on the public apply page (issue 21 item 5). Plain HTML
// controls with visible labels (axe-checked in test/e2e); field names are answers.<id>.
import type { CurrentQuestionSet } from '../jobs/questions-service.js';
import { QUESTION_LIMITS, type QuestionDef } from '../jobs/questions.js';
import { escapeHtml } from './html.js';

function control(q: QuestionDef): string {
  const name = `answers.${q.id}`;
  const fid = `q-${q.id}`;
  const req = q.required ? ' required' : '';
  const label = `${escapeHtml(q.label)}${q.required ? '' : ' (optional)'}`;
  const help = q.help ? `<span class="help" id="${fid}-help">${escapeHtml(q.help)}</span>` : '';
  const described = q.help ? ` aria-describedby="${fid}-help"` : '';
  switch (q.type) {
    case 'short_text':
      return `<label for="${fid}">${label}</label>${help}<input id="${fid}" name="${name}" maxlength="${QUESTION_LIMITS.shortText}"${req}${described}>`;
    case 'long_text':
      return `<label for="${fid}">${label}</label>${help}<textarea id="${fid}" name="${name}" rows="4" maxlength="${QUESTION_LIMITS.longText}"${req}${described}></textarea>`;
    case 'number':
      return `<label for="${fid}">${label}</label>${help}<input id="${fid}" name="${name}" type="number" step="any"${q.min !== undefined ? ` min="${q.min}"` : ''}${q.max !== undefined ? ` max="${q.max}"` : ''}${req}${described}>`;
    case 'date':
      return `<label for="${fid}">${label}</label>${help}<input id="${fid}" name="${name}" type="date"${req}${described}>`;
    case 'yes_no':
    case 'single_choice':
    case 'multiple_choice': {
      const options = q.type === 'yes_no' ? [['yes', 'Yes'], ['no', 'No']] : (q.options ?? []).map((o) => [o, o]);
      const kind = q.type === 'multiple_choice' ? 'checkbox' : 'radio';
      // A required checkbox group cannot be expressed in HTML: the server checks it.
      const inputReq = kind === 'radio' ? req : '';
      const items = options
        .map(([value, text], i) => `<label><input type="${kind}" name="${name}" value="${escapeHtml(value as string)}" id="${fid}-${i}"${inputReq}> ${escapeHtml(text as string)}</label>`)
        .join('\n');
      return `<fieldset class="question" id="${fid}"${described}><legend>${label}</legend>${help}\n${items}\n</fieldset>`;
    }
  }
}

export function questionsHtml(set: CurrentQuestionSet | null): string {
  if (!set || set.version === 0 || set.questions.length === 0) return '';
  const rows = set.questions.map((q) => `<div class="question-row">${control(q)}</div>`).join('\n');
  const knockoutNote = set.knockouts.length > 0 ? '<p>Some answers mean a person looks at your application first. No answer rejects an application automatically: a person makes every decision.</p>\n' : '';
  return `<fieldset class="questions"><legend>Questions from the employer</legend>
${knockoutNote}${rows}
</fieldset>
<input type="hidden" name="questionsVersion" value="${set.version}">
`;
}
