// Counterfactual CV variants: names and gendered words swapped, nothing else touched.
import t from 'tap';
import { counterfactualText, summariseShifts, swapGenderedWords, VARIANTS } from '../../server/modules/bias/counterfactual.js';

t.test('gendered words swap both ways, keeping case; "her" becomes "his" before a word and "him" otherwise', async (t) => {
  t.equal(swapGenderedWords('He led his team. Mr Smith thanked him. Chairman of the MEN section.', 'female'), 'She led her team. Ms Smith thanked her. Chairwoman of the WOMEN section.');
  t.equal(swapGenderedWords('She led her team; we thanked her. Captain of the women\'s team, Mrs Okafor.', 'male'), 'He led his team; we thanked him. Captain of the men\'s team, Mr Okafor.');
  t.equal(swapGenderedWords('Theme, shell, manager, human, mention, herald', 'female'), 'Theme, shell, manager, human, mention, herald', 'only whole words');
});

t.test('the candidate name (full and each part) becomes the variant name', async (t) => {
  const cv = 'Amara Okafor\namara.okafor@example.test\nOkafor led the payments team; Amara wrote the incident reviews.\nAmarah is not her name.';
  const out = counterfactualText(cv, 'Amara Okafor', VARIANTS[1] as (typeof VARIANTS)[number]);
  t.equal(out, 'Greg Baker\nGreg.Baker@example.test\nBaker led the payments team; Greg wrote the incident reviews.\nAmarah is not his name.', 'every whole-word occurrence (the e-mail too, as that person would have it), not "Amarah"');
});

t.test('shift summaries per variant', async (t) => {
  const [a, b] = summariseShifts(VARIANTS.slice(0, 2), [
    { variant: 'emily_walsh', shift: -3, identical: false },
    { variant: 'emily_walsh', shift: 1, identical: false },
    { variant: 'greg_baker', shift: 0, identical: true },
  ]);
  t.same(a, { variant: 'emily_walsh', identicalInput: 0, compared: 2, meanShift: -1, maxAbsShift: 3, changed: 2 });
  t.same(b, { variant: 'greg_baker', identicalInput: 1, compared: 1, meanShift: 0, maxAbsShift: 0, changed: 0 });
});
