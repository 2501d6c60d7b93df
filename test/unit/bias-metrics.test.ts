// Bias-report arithmetic against hand-computed LL144-style examples, and the report's
// categorisation (unknown answers, pooled rare answers, intersection, what "selected" means).
import t from 'tap';
import fc from 'fast-check';
import { impactTable, median, scoringCounts, type ImpactOptions } from '../../server/modules/bias/metrics.js';
import { computeReport, furthestProgress, OTHER_CATEGORY, stepOutcome, type ApplicationFacts } from '../../server/modules/bias/service.js';

const LL144: ImpactOptions = { threshold: 0.8, minSampleSize: 1, minSampleShare: 0.02 };
const near = (a: number | null | undefined, b: number) => a !== null && a !== undefined && Math.abs(a - b) < 1e-4;

t.test('selection rates and impact ratios: the DCWP sex example (1390/667 male, 1181/555 female)', async (t) => {
  const [male, female] = impactTable(
    [
      { category: 'male', assessed: 1390, selected: 667 },
      { category: 'female', assessed: 1181, selected: 555 },
    ],
    LL144,
  );
  t.ok(near(male?.rate, 0.4799), `male rate ${male?.rate}`);
  t.ok(near(female?.rate, 0.4699), `female rate ${female?.rate}`);
  t.equal(male?.impactRatio, 1, 'the highest rate has impact ratio 1');
  t.ok(near(female?.impactRatio, 0.9793), `female ratio ${female?.impactRatio} = 0.4699 / 0.4799`);
  t.notOk(male?.flagged || female?.flagged, 'above four-fifths: nothing flagged');
});

t.test('four-fifths rule: under 0.8 is flagged, exactly 0.8 (even as 0.7999999999999999) is not', async (t) => {
  const rows = impactTable(
    [
      { category: 'a', assessed: 100, selected: 50 },
      { category: 'b', assessed: 100, selected: 30 },
      { category: 'c', assessed: 100, selected: 40 },
    ],
    LL144,
  );
  t.same(
    rows.map((r) => [r.category, r.rate, r.impactRatio, r.flagged]),
    [
      ['a', 0.5, 1, false],
      ['b', 0.3, 0.6, true],
      ['c', 0.4, 0.8, false],
    ],
  );
  // 0.3 / 0.375 is 0.7999999999999999 in floating point.
  const [x, y] = impactTable(
    [
      { category: 'x', assessed: 8, selected: 3 },
      { category: 'y', assessed: 10, selected: 3 },
    ],
    LL144,
  );
  t.equal(x?.impactRatio, 1);
  t.ok(near(y?.impactRatio, 0.8));
  t.equal(y?.flagged, false, 'a ratio of 0.8 is not under the threshold');
  const strict = impactTable(
    [
      { category: 'x', assessed: 8, selected: 3 },
      { category: 'y', assessed: 10, selected: 3 },
    ],
    { ...LL144, threshold: 0.9 },
  );
  t.equal(strict[1]?.flagged, true, 'the org threshold applies (0.9)');
});

t.test('small-sample categories: under 2% of the assessed or under the minimum n get no ratio and no flag', async (t) => {
  const rows = impactTable(
    [
      { category: 'big', assessed: 197, selected: 100 },
      { category: 'tiny', assessed: 3, selected: 0 },
    ],
    LL144,
  );
  t.equal(rows[1]?.smallSample, true, '3 of 200 is 1.5% < 2%');
  t.equal(rows[1]?.impactRatio, null);
  t.equal(rows[1]?.flagged, false, 'a small-sample category is never flagged, even with nobody selected');
  t.equal(rows[1]?.rate, 0, 'its rate is still shown');
  t.equal(rows[0]?.impactRatio, 1);

  const minN = impactTable(
    [
      { category: 'a', assessed: 20, selected: 10 },
      { category: 'b', assessed: 4, selected: 0 },
    ],
    { ...LL144, minSampleSize: 5 },
  );
  t.equal(minN[1]?.smallSample, true, '4 people < minimum n of 5 (though 16.7% of the data)');
  t.equal(minN[1]?.flagged, false);

  // Small categories do not set the reference rate either.
  const ref = impactTable(
    [
      { category: 'a', assessed: 100, selected: 40 },
      { category: 'b', assessed: 100, selected: 30 },
      { category: 'rare', assessed: 1, selected: 1 },
    ],
    LL144,
  );
  t.equal(ref[0]?.impactRatio, 1, 'the highest rate among categories that are not small-sample is the reference');
  t.ok(near(ref[1]?.impactRatio, 0.75));
  t.equal(ref[1]?.flagged, true);
});

t.test('zero-selected categories and all-zero tables', async (t) => {
  const rows = impactTable(
    [
      { category: 'a', assessed: 20, selected: 10 },
      { category: 'b', assessed: 20, selected: 0 },
    ],
    LL144,
  );
  t.equal(rows[1]?.rate, 0);
  t.equal(rows[1]?.impactRatio, 0);
  t.equal(rows[1]?.flagged, true, 'nobody selected in a large category is a breach');

  const none = impactTable(
    [
      { category: 'a', assessed: 20, selected: 0 },
      { category: 'b', assessed: 20, selected: 0 },
    ],
    LL144,
  );
  t.same(
    none.map((r) => [r.impactRatio, r.flagged]),
    [
      [null, false],
      [null, false],
    ],
    'nobody selected at all: ratios undefined, nothing flagged',
  );
  const empty = impactTable([{ category: 'a', assessed: 0, selected: 0 }], LL144);
  t.same([empty[0]?.rate, empty[0]?.impactRatio, empty[0]?.smallSample, empty[0]?.flagged], [null, null, true, false], 'nobody assessed');
});

t.test('a single category has impact ratio 1', async (t) => {
  const [only] = impactTable([{ category: 'only', assessed: 10, selected: 2 }], LL144);
  t.same([only?.rate, only?.impactRatio, only?.flagged], [0.2, 1, false]);
});

t.test('scoring rate (LL144): share of a category scoring strictly above the sample median', async (t) => {
  t.equal(median([1, 3, 2]), 2);
  t.equal(median([10, 20, 30, 40, 50, 60]), 35);
  t.equal(median([]), null);
  const scored = [
    { category: 'x', score: 10 },
    { category: 'x', score: 20 },
    { category: 'x', score: 60 },
    { category: 'y', score: 30 },
    { category: 'y', score: 40 },
    { category: 'y', score: 50 },
  ];
  const counts = scoringCounts(scored, median(scored.map((s) => s.score)));
  t.same(counts, [
    { category: 'x', assessed: 3, selected: 1 },
    { category: 'y', assessed: 3, selected: 2 },
  ]);
  const [x, y] = impactTable(counts, LL144);
  t.ok(near(x?.rate, 1 / 3));
  t.ok(near(y?.rate, 2 / 3));
  t.equal(y?.impactRatio, 1);
  t.ok(near(x?.impactRatio, 0.5));
  t.equal(x?.flagged, true);
  // A score equal to the median is not above it.
  t.same(scoringCounts([{ category: 'a', score: 2 }, { category: 'a', score: 1 }, { category: 'b', score: 3 }], 2), [
    { category: 'a', assessed: 2, selected: 0 },
    { category: 'b', assessed: 1, selected: 1 },
  ]);
});

t.test('property: impact ratios are in [0, 1], the top category (not small-sample) is 1, small-sample ones are never flagged', async () => {
  const table = fc.array(
    fc.record({ assessed: fc.integer({ min: 0, max: 500 }), frac: fc.double({ min: 0, max: 1, noNaN: true }) }).map(({ assessed, frac }) => ({ assessed, selected: Math.floor(assessed * frac) })),
    { minLength: 1, maxLength: 8 },
  );
  const opts = fc.record({ threshold: fc.double({ min: 0.5, max: 1, noNaN: true }), minSampleSize: fc.integer({ min: 1, max: 30 }), minSampleShare: fc.double({ min: 0, max: 0.2, noNaN: true }) });
  fc.assert(
    fc.property(table, opts, (counts, o) => {
      const rows = impactTable(
        counts.map((c, i) => ({ category: `c${i}`, ...c })),
        o,
      );
      for (const r of rows) {
        if (r.impactRatio !== null && (r.impactRatio < 0 || r.impactRatio > 1)) return false;
        if (r.smallSample && (r.flagged || r.impactRatio !== null)) return false;
        if (r.rate !== null && (r.rate < 0 || r.rate > 1)) return false;
      }
      const eligible = rows.filter((r) => !r.smallSample && r.rate !== null);
      const top = Math.max(0, ...eligible.map((r) => r.rate as number));
      if (top > 0) {
        for (const r of eligible) if ((r.rate === top) !== (r.impactRatio === 1)) return false;
      }
      return true;
    }),
    { numRuns: 500 },
  );
});

const fact = (categories: Record<string, string>, stageKind: string, reached: string[] = [], score: number | null = null, jobId = 'j1'): ApplicationFacts => ({
  jobId,
  categories,
  stageKind,
  furthest: furthestProgress(stageKind, reached),
  score,
});

t.test('"selected": advanced past screening means reaching interview/offer/hired by a human; pending is not assessed', async (t) => {
  t.equal(stepOutcome('advanced', fact({}, 'interview')), 'selected');
  t.equal(stepOutcome('advanced', fact({}, 'rejected', ['interview'])), 'selected', 'advanced, later rejected: still advanced past screening');
  t.equal(stepOutcome('advanced', fact({}, 'rejected', ['screening'])), 'not_selected');
  t.equal(stepOutcome('advanced', fact({}, 'screening')), 'pending');
  t.equal(stepOutcome('advanced', fact({}, 'withdrawn')), 'pending', 'withdrawn before advancing: not assessed');
  t.equal(stepOutcome('hired', fact({}, 'hired', ['interview', 'hired'])), 'selected');
  t.equal(stepOutcome('hired', fact({}, 'rejected', ['interview'])), 'not_selected');
  t.equal(stepOutcome('hired', fact({}, 'offer', ['offer'])), 'pending');
});

t.test('computeReport: unknown answers count only, rare answers pooled, gender × ethnicity when both answered', async (t) => {
  const facts: ApplicationFacts[] = [
    ...Array.from({ length: 6 }, (_, i) => fact({ gender: 'woman', ethnicity: 'asian' }, i < 3 ? 'interview' : 'rejected', [], 60 + i)),
    ...Array.from({ length: 6 }, (_, i) => fact({ gender: 'man', ethnicity: 'white' }, i < 6 ? 'interview' : 'rejected', [], 70 + i)),
    fact({ gender: 'agender' }, 'rejected'),
    fact({}, 'interview'),
    fact({ ethnicity: 'asian' }, 'screening'),
  ];
  const { dimensions, breaches, scored } = computeReport(facts, { threshold: 0.8, minSampleSize: 5, minSampleShare: 0.02 });
  t.equal(scored, 12);
  t.same(
    dimensions.map((d) => d.key),
    ['gender', 'ethnicity', 'gender_x_ethnicity'],
    'only dimensions somebody answered',
  );
  const gender = dimensions[0];
  t.equal(gender?.unknown, 2, 'two applicants did not answer gender');
  t.same(
    gender?.categories.map((c) => [c.category, c.applicants, c.advanced.selected, c.advanced.assessed, c.advanced.impactRatio, c.advanced.flagged, c.advanced.smallSample]),
    [
      ['man', 6, 6, 6, 1, false, false],
      ['woman', 6, 3, 6, 0.5, true, false],
      [OTHER_CATEGORY, 1, 0, 1, null, false, true],
    ],
  );
  t.notOk(JSON.stringify(dimensions).includes('agender'), 'a rare answer (fewer than 3 people) is never shown');
  const ethnicity = dimensions[1];
  t.same(
    ethnicity?.categories.map((c) => [c.category, c.applicants, c.advanced.pending]),
    [
      ['asian', 7, 1],
      ['white', 6, 0],
    ],
  );
  // Scores 60..65 (women) and 70..75 (men): median 67.5, every man above, no woman.
  const scoring = gender?.categories.map((c) => [c.category, c.scoring.selected, c.scoring.assessed, c.scoring.impactRatio]);
  t.same(scoring?.slice(0, 2), [
    ['man', 6, 6, 1],
    ['woman', 0, 6, 0],
  ]);
  t.same(dimensions[2]?.categories.map((c) => c.category), ['man / white', 'woman / asian']);
  t.same(
    breaches.map((b) => `${b.dimension}:${b.category}:${b.metric}:${b.impactRatio}`).sort(),
    ['ethnicity:asian:advanced:0.5', 'ethnicity:asian:scoring:0', 'gender:woman:advanced:0.5', 'gender:woman:scoring:0', 'gender_x_ethnicity:woman / asian:advanced:0.5', 'gender_x_ethnicity:woman / asian:scoring:0'],
  );
});

t.test('computeReport: scoring medians are per job', async (t) => {
  const facts = [
    fact({ gender: 'a' }, 'screening', [], 10, 'j1'),
    fact({ gender: 'a' }, 'screening', [], 20, 'j1'),
    fact({ gender: 'a' }, 'screening', [], 30, 'j1'),
    fact({ gender: 'b' }, 'screening', [], 80, 'j2'),
    fact({ gender: 'b' }, 'screening', [], 90, 'j2'),
    fact({ gender: 'b' }, 'screening', [], 100, 'j2'),
  ];
  const { dimensions } = computeReport(facts, { threshold: 0.8, minSampleSize: 1, minSampleShare: 0 });
  t.same(
    dimensions[0]?.categories.map((c) => [c.category, c.scoring.selected, c.scoring.impactRatio]),
    [
      ['a', 1, 1],
      ['b', 1, 1],
    ],
    'each scores one above its own job median: no breach although b scores higher overall',
  );
});
