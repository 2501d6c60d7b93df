import t from 'tap';
import fc from 'fast-check';
import { summarise } from '../../server/modules/scorecards/summary.js';
import { criterionKeys } from '../../server/modules/scorecards/service.js';

const criteria = criterionKeys([{ name: 'TypeScript' }, { name: 'Postgres' }]);

t.test('criterion keys follow the job order', async (t) => {
  t.same(criteria, [{ key: 'c1', name: 'TypeScript' }, { key: 'c2', name: 'Postgres' }]);
});

t.test('agreement counts rater pairs within one point, per application only', async (t) => {
  const [c1, c2] = summarise(
    criteria,
    [
      { applicationId: 'a', ratings: { c1: 3, c2: 1 } },
      { applicationId: 'a', ratings: { c1: 4, c2: 5 } },
      { applicationId: 'a', ratings: { c1: 5, c2: 1 } },
      // a single rater on b makes no pair, and is not paired with a's raters
      { applicationId: 'b', ratings: { c1: 1 } },
    ],
    [],
  );
  // a, c1: (3,4) yes, (3,5) no, (4,5) yes -> 2/3; c2: (1,5) no, (1,1) yes, (5,1) no -> 1/3
  t.equal(c1?.raterPairs, 3);
  t.equal(c1?.agreementWithin1, 0.667);
  t.equal(c2?.agreementWithin1, 0.333);
  t.equal(c1?.ratings, 4);
  t.equal(c1?.humanMean, 3.25);
  t.equal(c2?.ratings, 3);
  t.equal(c1?.aiCompared, 0);
  t.equal(c1?.aiMeanDifference, null);
});

t.test('AI divergence maps 0-4 to 1-5 and compares with the humans\' mean per application', async (t) => {
  const [c1, c2] = summarise(
    criteria,
    [
      { applicationId: 'a', ratings: { c1: 2, c2: 4 } },
      { applicationId: 'a', ratings: { c1: 3, c2: 4 } },
      { applicationId: 'b', ratings: { c1: 5, c2: 2 } },
    ],
    [
      { applicationId: 'a', scores: { c1: 4, c2: 3 } },
      { applicationId: 'b', scores: { c1: 2 } },
      { applicationId: 'z', scores: { c1: 0, c2: 0 } },
    ],
  );
  // c1: a 5 - 2.5 = +2.5; b 3 - 5 = -2 -> mean 0.25, abs 2.25
  t.equal(c1?.aiCompared, 2);
  t.equal(c1?.aiMeanDifference, 0.25);
  t.equal(c1?.aiMeanAbsDifference, 2.25);
  // c2: a 4 - 4 = 0; b has no AI score for c2
  t.equal(c2?.aiCompared, 1);
  t.equal(c2?.aiMeanDifference, 0);
});

t.test('agreement is a share in [0, 1] and identical raters always agree', async () => {
  fc.assert(
    fc.property(fc.array(fc.tuple(fc.constantFrom('a', 'b', 'c'), fc.integer({ min: 1, max: 5 })), { maxLength: 20 }), (cards) => {
      const [s] = summarise([{ key: 'c1', name: 'x' }], cards.map(([applicationId, r]) => ({ applicationId, ratings: { c1: r } })), []);
      if (s?.agreementWithin1 !== null && s?.agreementWithin1 !== undefined) {
        if (s.agreementWithin1 < 0 || s.agreementWithin1 > 1) return false;
      }
      const same = summarise([{ key: 'c1', name: 'x' }], cards.map(([applicationId]) => ({ applicationId, ratings: { c1: 3 } })), [])[0];
      return same?.raterPairs === 0 ? same.agreementWithin1 === null : same?.agreementWithin1 === 1;
    }),
  );
});
