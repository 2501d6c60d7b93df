// Template variables: a fixed allowlist, checked when a template (or a free-text
// message) is saved, substituted in one pass when it is sent. Values are plain text
// (mail goes out as text/plain), never re-expanded, and stripped of control characters;
// in a subject, line breaks become spaces so no value can add a header line.
import { UnprocessableError } from '../../core/errors.js';

export const TEMPLATE_VARIABLES = ['candidate.firstName', 'candidate.name', 'job.title', 'job.location', 'org.name'] as const;
export type TemplateVariable = (typeof TEMPLATE_VARIABLES)[number];
export type TemplateValues = Record<TemplateVariable, string>;

const PLACEHOLDER = /\{\{\s*([^{}]*?)\s*\}\}/g;

/** Names of the variables a text uses; 422 for unknown names or stray braces. */
export function checkTemplateText(kind: 'subject' | 'body', text: string, field: string = kind): TemplateVariable[] {
  if (/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(text)) throw new UnprocessableError({ detail: `The ${field} contains control characters.`, extra: { field } });
  const used: TemplateVariable[] = [];
  const unknown: string[] = [];
  for (const m of text.matchAll(PLACEHOLDER)) {
    const name = m[1] ?? '';
    if ((TEMPLATE_VARIABLES as readonly string[]).includes(name)) used.push(name as TemplateVariable);
    else unknown.push(name.slice(0, 60));
  }
  if (unknown.length > 0) {
    throw new UnprocessableError({
      detail: `Unknown variable in ${field}: ${unknown.map((u) => `{{${u}}}`).join(', ')}. Allowed: ${TEMPLATE_VARIABLES.map((v) => `{{${v}}}`).join(', ')}.`,
      extra: { field, unknownVariables: unknown, allowedVariables: [...TEMPLATE_VARIABLES] },
    });
  }
  const rest = text.replace(PLACEHOLDER, '\u0000');
  if (rest.includes('{{') || rest.includes('}}') || rest.includes('{\u0000') || rest.includes('\u0000}')) {
    throw new UnprocessableError({ detail: `Malformed placeholder in ${field}: write variables as {{candidate.firstName}}.`, extra: { field } });
  }
  return used;
}

// C0/C1 control characters except tab and newline (line breaks are handled per field).
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029]/g;

function clean(value: string, inSubject: boolean): string {
  const v = value.replace(CONTROL, inSubject ? ' ' : '');
  return inSubject ? v.replace(/[\r\n\t]+/g, ' ') : v;
}

export function renderTemplate(text: string, values: TemplateValues, inSubject: boolean): string {
  return text.replace(PLACEHOLDER, (_m, name: string) => clean(values[name as TemplateVariable] ?? '', inSubject));
}

export function firstName(fullName: string): string {
  return fullName.trim().split(/\s+/)[0] ?? '';
}
