// Admin downloads of the AI system card, subprocessor list and record of processing
// (Markdown or PDF), and the public per-org summary page candidates reach from every notice.
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { requireCtx } from '../../plugins/access.js';
import { Problem, ProblemResponses } from '../../core/schemas.js';
import { escapeHtml } from '../../core/html.js';
import type { BiasReport } from '../bias/index.js';
import type { Ctx } from '../../core/context.js';
import { markdownToPdf } from './pdf.js';
import { DOCUMENTS, type AiDocsService, type DocFacts, type Subprocessor } from './service.js';
import { translator, type MessageValues, type Translator } from '../../core/i18n/translator.js';
import type { MessageKey } from '../../core/i18n/catalog-shape.js';
import { candidatePage } from '../../core/i18n/page.js';
import { candidateTranslator } from '../../plugins/locale.js';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Literals } from '../../plugins/route-types.js';

/** Where a candidate reads the summary for an org: linked from the apply and interview notices. */
export const aiSummaryPath = (orgSlug: string): string => `/privacy/${encodeURIComponent(orgSlug)}/ai`;

const PURPOSE: Record<Subprocessor['kind'], [MessageKey, MessageKey]> = {
  screening: ['aipage.purposeScreening', 'aipage.dataScreening'],
  vapi: ['aipage.purposeVapi', 'aipage.dataVapi'],
  interviewLlm: ['aipage.purposeInterviewLlm', 'aipage.dataInterviewLlm'],
  transcriber: ['aipage.purposeTranscriber', 'aipage.dataTranscriber'],
  voice: ['aipage.purposeVoice', 'aipage.dataVoice'],
  mail: ['aipage.purposeMail', 'aipage.dataMail'],
};

/** The candidate's summary page, in their language (issue 22); names, models and hosts as they are. */
export function renderPublicSummary(f: DocFacts, tr: Translator = translator('en'), requestUrl = aiSummaryPath(f.org.slug)): string {
  const e = escapeHtml;
  const x = (key: MessageKey, values?: MessageValues) => e(tr.t(key, values));
  const org = f.org.name;
  const items = (xs: string[]) => xs.map((s) => `<li>${s}</li>`).join('\n');
  const subs = f.subprocessors.length
    ? `<table><thead><tr><th>${x('aipage.who')}</th><th>${x('aipage.whatFor')}</th><th>${x('aipage.whatData')}</th></tr></thead><tbody>${f.subprocessors
        .map((s) => {
          const [purpose, data] = PURPOSE[s.kind];
          return `<tr><td>${e(s.name)}</td><td>${x(purpose, { detail: s.detail, interviews: f.interviews ? 'yes' : 'no' })}</td><td>${x(data)}</td></tr>`;
        })
        .join('')}</tbody></table>`
    : `<p>${x('aipage.noRecipients')}</p>`;
  const body = `<h1>${x('aipage.title', { org })}</h1>
<p class="meta">${x('aipage.generated', { org, date: new Date(f.generatedAt) })}</p>
<h2>${x('aipage.whatHeading')}</h2>
<ul>
${items([
  x('aipage.whatScores', { org }),
  x('aipage.whatRedacted'),
  x('aipage.whatNever'),
  ...(f.interviews ? [x('aipage.whatInterviews', { llm: f.interviews.llm, transcriber: f.interviews.transcriber })] : []),
])}
</ul>
<h2>${x('aipage.modelsHeading')}</h2>
<ul>
${items([
  x('aipage.modelScreening', { provider: f.screening.provider, model: f.screening.model }),
  f.interviews ? x('aipage.modelInterviews', { llm: f.interviews.llm, voices: f.interviews.voices.join(', ') }) : x('aipage.modelNoInterviews'),
])}
</ul>
<h2>${x('aipage.recipientsHeading')}</h2>
${subs}
<h2>${x('aipage.keptHeading')}</h2>
<p>${x('aipage.kept', { days: f.retentionDays })}</p>`;
  return candidatePage(tr, tr.t('aipage.title', { org }), body, { path: requestUrl });
}

const DocParams = Type.Object({ doc: Literals(DOCUMENTS) }, { additionalProperties: false });
const DocQuery = Type.Object({ format: Type.Optional(Type.Union([Type.Literal('md'), Type.Literal('pdf')], { default: 'md' })) }, { additionalProperties: false });

export async function aiDocsRoutes(fastify: FastifyInstance, deps: { docs: AiDocsService; biasReport: (ctx: Ctx) => Promise<BiasReport> }): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
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
      const { doc } = request.params;
      const format = request.query.format ?? 'md';
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
      const f = await deps.docs.publicFacts(request.params.orgSlug);
      // The language links, the cookie or the browser's language (the page has no content language of its own).
      const tr = candidateTranslator(request, reply);
      return reply.type('text/html; charset=utf-8').header('cache-control', 'public, max-age=300').send(renderPublicSummary(f, tr, request.url));
    },
  );
}
