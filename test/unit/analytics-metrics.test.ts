// Hiring analytics arithmetic (issue 21 item 3): funnel, stays, suppression, agreement and CSV cells.
import t from 'tap';
import { agrees, computeAnalytics, furthestRank, suppress } from '../../server/modules/analytics/metrics.js';
import { csvCell } from '../../server/modules/analytics/service.js';

const d = (n: number) => new Date(Date.UTC(2026, 0, 1) + n * 86_400_000);

t.test('suppression: under the minimum sample the value is hidden, empty is not suppressed', async (t) => {
  t.same(suppress([], 5), { value: null, n: 0, suppressed: false });
  t.same(suppress([1, 2, 3, 4], 5), { value: null, n: 4, suppressed: true });
  t.same(suppress([1, 2, 3, 4, 10], 5), { value: 3, n: 5, suppressed: false });
  t.same(suppress([1, 2, 3, 4, 10, 11], 5), { value: 3.5, n: 6, suppressed: false });
});

t.test('agreement: advance ~ advance/hire, not_advance ~ reject, review and hold not compared', async (t) => {
  t.equal(agrees({ aiRecommendation: 'advance', outcome: 'hire' }), true);
  t.equal(agrees({ aiRecommendation: 'advance', outcome: 'reject' }), false);
  t.equal(agrees({ aiRecommendation: 'not_advance', outcome: 'reject' }), true);
  t.equal(agrees({ aiRecommendation: 'not_advance', outcome: 'advance' }), false);
  t.equal(agrees({ aiRecommendation: 'review', outcome: 'advance' }), null);
  t.equal(agrees({ aiRecommendation: 'advance', outcome: 'hold' }), null);
  t.equal(agrees({ aiRecommendation: null, outcome: 'advance' }), null);
});

t.test('funnel counts the furthest stage reached, stays only completed ones', async (t) => {
  t.equal(furthestRank({ createdAt: d(0), stageKind: 'rejected', moves: [{ kind: 'screening', at: d(1) }, { kind: 'interview', at: d(2) }, { kind: 'rejected', at: d(3) }] }), 2);
  const f = computeAnalytics(
    [
      { createdAt: d(0), stageKind: 'screening', moves: [{ kind: 'screening', at: d(4) }] },
      { createdAt: d(0), stageKind: 'withdrawn', moves: [] },
      { createdAt: d(0), stageKind: 'hired', moves: [{ kind: 'offer', at: d(2) }, { kind: 'hired', at: d(3) }] },
    ],
    [{ aiRecommendation: 'advance', outcome: 'hold' }],
    1,
  );
  t.same(f.funnel.map((x) => x.reached), [3, 2, 1, 1, 1]);
  t.same(f.outcomes, { rejected: 0, withdrawn: 1, inProgress: 1, hired: 1 });
  t.same(f.timeInStageDays.map((s) => [s.kind, s.median.value, s.median.n]), [['new', 3, 2], ['screening', null, 0], ['interview', null, 0], ['offer', 1, 1]]);
  t.same(f.timeToHireDays, { value: 3, n: 1, suppressed: false });
  t.same(f.agreement, { compared: 0, agreed: 0, rate: { value: null, n: 0, suppressed: false }, excludedReview: 0, excludedHold: 1 });
});

t.test('CSV cells: quoted, formula characters neutralised, numbers bare', async (t) => {
  for (const bad of ['=1+1', '+1', '-1', '@SUM(A1)', '\t=x', '\r=x']) t.match(csvCell(bad), /^"'/, JSON.stringify(bad));
  t.equal(csvCell('a "b"'), '"a ""b"""');
  t.equal(csvCell(3.5), '3.5');
  t.equal(csvCell(null), '');
  t.equal(csvCell(false), 'false');
});
