// issue 22 item 1: the candidate's explanation of an AI-assisted outcome is written in the
// language they applied in, with dates in their time zone; English stays as it was.
import t from 'tap';
import { renderExplanationText, type Explanation } from '../../server/modules/screening/oversight.js';
import { englishLeftIn } from '../support/i18n.js';

const base = {
  applicationId: '00000000-0000-4000-8000-000000000001',
  jobTitle: 'Backend-Entwicklerin',
  timeZone: 'Pacific/Auckland',
  generatedAt: '2026-12-06T23:30:00.000Z',
  aiAssisted: true,
  advisoryNotice: 'An AI system suggested the scores.',
  screening: {
    screenedAt: '2026-12-05T23:30:00.000Z',
    criteriaVersion: 1,
    model: 'gpt-4o-mini',
    promptVersion: 'v1',
    simulated: true,
    aiRecommendation: 'not_advance',
    aiRecommendationIsAdvisory: true as const,
    overallScore: 40,
    summary: 'Kurz.',
    criteria: [
      { name: 'TypeScript', mustHave: true, weight: 3, score: 1, maxScore: 4, verdict: 'partly', reasoning: 'Wenig Erfahrung.', evidence: [{ quote: 'TypeScript seit 2025', foundInCv: true }, { quote: 'Node-Profi', foundInCv: false }] },
    ],
    flags: [],
  },
  decision: { outcome: 'reject', reason: 'Zu wenig Erfahrung mit TypeScript.', decidedAt: '2026-12-06T22:00:00.000Z', decidedBy: { name: null, role: 'recruiter' }, followedAiRecommendation: true },
} as unknown as Explanation;

t.test('German: no English left, dates in the candidate zone, codes translated', async (t) => {
  const text = renderExplanationText({ ...base, locale: 'de' });
  const ignore = ['Backend-Entwicklerin', 'TypeScript seit 2025', 'Node-Profi', 'Wenig Erfahrung.', 'Zu wenig Erfahrung mit TypeScript.', 'TypeScript'];
  t.same(englishLeftIn(text, ignore), [], 'no English left');
  t.match(text, /KI-gestützt, 6\. Dezember 2026/, 'screened on the 6th in Auckland (the 5th in UTC)');
  t.match(text, /Entscheidung: Absage, getroffen von einem Mitglied des Einstellungsteams/);
  t.match(text, /teilweise erfüllt/);
  t.match(text, /nicht gefunden/);
  const fr = renderExplanationText({ ...base, locale: 'fr' });
  t.same(englishLeftIn(fr, ignore), [], 'French: no English left');
});

t.test('English keeps its wording and its ISO (UTC) dates', async (t) => {
  const text = renderExplanationText({ ...base, locale: 'en' });
  t.match(text, /Decision: reject, made by a recruiter \(a person\) on 2026-12-06\./);
  t.match(text, /Score: 1 of 4 \(partly\)/);
  t.match(text, /The AI suggested that the application not move forward/);
});
