// The job's application questions on the public apply page (issue 21 item 5). Plain HTML
// controls with visible labels (axe-checked in test/e2e); field names are answers.<id>.
import type { CurrentQuestionSet } from '../jobs/index.js';
import { QUESTION_LIMITS, type QuestionDef } from '../jobs/index.js';
import { escapeHtml } from '../../core/html.js';
import { translator, type Translator } from '../../core/i18n/translator.js';

function control(q: QuestionDef, tr: Translator): string {
  const name = `answers.${q.id}`;
  const fid = `q-${q.id}`;
  const req = q.required ? ' required' : '';
  // The employer's wording stays as written; only the chrome around it is translated.
  const label = escapeHtml(q.required ? q.label : tr.t('questions.optional', { label: q.label }));
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
      const options = q.type === 'yes_no' ? [['yes', tr.t('questions.yes')], ['no', tr.t('questions.no')]] : (q.options ?? []).map((o) => [o, o]);
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

export function questionsHtml(set: CurrentQuestionSet | null, tr: Translator = translator('en')): string {
  if (!set || set.version === 0 || set.questions.length === 0) return '';
  const rows = set.questions.map((q) => `<div class="question-row">${control(q, tr)}</div>`).join('\n');
  const knockoutNote = set.knockouts.length > 0 ? `<p>${escapeHtml(tr.t('questions.knockoutNote'))}</p>\n` : '';
  return `<fieldset class="questions"><legend>${escapeHtml(tr.t('questions.legend'))}</legend>
${knockoutNote}${rows}
</fieldset>
<input type="hidden" name="questionsVersion" value="${set.version}">
`;
}
