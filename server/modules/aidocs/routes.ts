// Admin downloads of the AI system card, subprocessor list and record of processing
// (Markdown or PDF), and the public per-org summary page candidates reach from every notice.
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { requireCtx } from '../../plugins/access.js';
import { Problem, ProblemResponses } from '../../plugins/schemas.js';
import { escapeHtml } from '../public/html.js';
import type { BiasReport } from '../bias/service.js';
import type { Ctx } from '../jobs/service.js';
import { markdownToPdf } from './pdf.js';
import { DOCUMENTS, type AiDocsService, type DocFacts, type DocumentKind } from './service.js';

/** Where a candidate reads the summary for an org: linked from the apply and interview notices. */
export const aiSummaryPath = (orgSlug: string): string => `/privacy/${encodeURIComponent(orgSlug)}/ai`;

export function renderPublicSummary(f: DocFacts): string {
  const e = escapeHtml;
  const items = (xs: string[]) => xs.map((x) => `<li>${x}</li>`).join('\n');
  const subs = f.subprocessors.length
    ? `<table><thead><tr><th>Who</th><th>What for</th><th>What data</th></tr></thead><tbody>${f.subprocessors.map((s) => `<tr><td>${e(s.name)}</td><td>${e(s.purpose)}</td><td>${e(s.data)}</td></tr>`).join('')}</tbody></table>`
    : '<p>None: your data stays on the servers of the hiring organisation.</p>';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>How ${e(f.org.name)} uses AI in hiring</title>
<link rel="stylesheet" href="/assets/apply.css">
</head>
<body>
<main>
<h1>How ${e(f.org.name)} uses AI in hiring</h1>
<p class="meta">Generated ${e(f.generatedAt.slice(0, 10))} from the live settings of ${e(f.org.name)}'s hiring system.</p>
<h2>What the AI does</h2>
<ul>
${items([
  `It suggests a score per job criterion and a recommendation, with quotes from your CV as evidence. A person at ${e(f.org.name)} makes every decision.`,
  'Before the model sees your CV, your name, contact details, links and demographic hints are removed.',
  'It never sees your voluntary demographic answers, and never infers emotion, personality or voice traits.',
  ...(f.interviews ? [`Voice interviews are held by an AI interviewer (${e(f.interviews.llm)}, speech-to-text ${e(f.interviews.transcriber)}); only the transcript is scored.`] : []),
])}
</ul>
<h2>Models in use</h2>
<ul>
${items([`CV screening: ${e(f.screening.provider)}, model ${e(f.screening.model)}.`, f.interviews ? `Voice interviews: ${e(f.interviews.llm)}; voice ${e(f.interviews.voices.join(', '))}.` : 'Voice interviews: not used.'])}
</ul>
<h2>Who else receives your data</h2>
${subs}
<h2>How long it is kept</h2>
<p>Your data is erased ${f.retentionDays} days after the final decision on your application. You can ask for a copy, a correction or deletion at any time.</p>
</main>
</body>
</html>
`;
}

const DocParams = Type.Object({ doc: Type.Union(DOCUMENTS.map((d) => Type.Literal(d))) }, { additionalProperties: false });
const DocQuery = Type.Object({ format: Type.Optional(Type.Union([Type.Literal('md'), Type.Literal('pdf')], { default: 'md' })) }, { additionalProperties: false });

export async function aiDocsRoutes(app: FastifyInstance, deps: { docs: AiDocsService; biasReport: (ctx: Ctx) => Promise<BiasReport> }): Promise<void> {
  app.get(
    '/api/v1/org/documents/:doc',
    {
      schema: {
        operationId: 'orgDocument',
        tags: ['privacy'],
        description:
          'The AI system card, subprocessor list or record of processing activities, generated now from the live configuration (AI provider and model, interviews, mail relay, retention, latest stability check, bias report with small cells suppressed). format=md (default) or pdf.',
        params: DocParams,
        querystring: DocQuery,
        response: { 200: Type.Any(), ...ProblemResponses },
      },
      config: { access: { permission: 'privacy:manage' } },
    },
    async (request, reply) => {
      const ctx = requireCtx(request);
      const { doc } = request.params as { doc: DocumentKind };
      const format = (request.query as { format?: 'md' | 'pdf' }).format ?? 'md';
      const bias = doc === 'system-card' ? await deps.biasReport(ctx) : null;
      const { title, markdown } = await deps.docs.document(ctx, doc, bias);
      reply.header('cache-control', 'no-store');
      if (format === 'pdf') {
        const pdf = await markdownToPdf(title, markdown, { generatedAt: new Date() });
        return reply.type('application/pdf').header('content-disposition', `attachment; filename="${doc}.pdf"`).send(pdf);
      }
      return reply.type('text/markdown; charset=utf-8').header('content-disposition', `attachment; filename="${doc}.md"`).send(markdown);
    },
  );

  app.get(
    '/privacy/:orgSlug/ai',
    {
      schema: { operationId: 'aiSummaryPage', tags: ['public'], params: Type.Object({ orgSlug: Type.String({ minLength: 1, maxLength: 80, pattern: '^[a-z0-9](?:[a-z0-9-]{0,78}[a-z0-9])?$' }) }, { additionalProperties: false }), response: { 200: Type.String(), 400: Problem, 404: Problem } },
      config: { access: { public: "candidates' summary of an org's AI use and subprocessors, linked from every notice" } },
    },
    async (request, reply) => {
      const f = await deps.docs.publicFacts((request.params as { orgSlug: string }).orgSlug);
      return reply.type('text/html; charset=utf-8').header('cache-control', 'public, max-age=300').send(renderPublicSummary(f));
    },
  );
}
