// npm run eval:screening — prints the injection detector's detection and false-positive
// rates per kind and language, and redaction leaks per identifier type, on the corpora in
// test/fixtures/eval/. Exit 1 when a target is missed (>= 95% detected, <= 2% false
// positives, 0 leaks). `--verbose` lists the missed, falsely flagged and leaked cases.
import { measureDetection, measureHoldout, measureRedaction, type Rate } from './measure.js';
import { HOLDOUT_ROUNDS } from '../fixtures/eval/holdout.js';

export const TARGETS = { detection: 0.95, falsePositives: 0.02, leaks: 0 };

const pct = (r: Rate): string => `${(r.rate * 100).toFixed(1).padStart(5)}%  (${r.hits}/${r.total})`;
const verbose = process.argv.includes('--verbose');
const out = (s = ''): void => {
  process.stdout.write(`${s}\n`);
};

const d = measureDetection();
out('Prompt-injection detection (test/fixtures/eval/injection-corpus.ts)');
out(`  detected:         ${pct(d.detection)}   target >= ${TARGETS.detection * 100}%`);
out(`  false positives:  ${pct(d.falsePositives)}   target <= ${TARGETS.falsePositives * 100}%`);
out('  per kind (detected):');
for (const [k, r] of Object.entries(d.byKind)) out(`    ${k.padEnd(22)} ${pct(r)}`);
out('  per language:        detected              false positives');
for (const [l, r] of Object.entries(d.byLanguage)) out(`    ${l.padEnd(20)} ${pct(r.detection)}   ${pct(r.falsePositives)}`);
out(`  (${d.ms} ms for ${d.detection.total + d.falsePositives.total} CVs)`);
if (verbose) {
  for (const id of d.missed) out(`  missed: ${id}`);
  for (const f of d.falselyFlagged) out(`  false positive: ${f.id} ${f.kinds.join(',')} ${f.excerpt}`);
}

out('');
out('Held-out lines (test/fixtures/eval/holdout.ts; written after the detector, no target held):');
for (const round of HOLDOUT_ROUNDS) {
  const h = measureHoldout(round);
  out(`  ${round.name}: detected ${pct(h.detection)}, false positives ${pct(h.falsePositives)}`);
  if (verbose) {
    for (const m of h.missed) out(`    missed: ${m}`);
    for (const f of h.falselyFlagged) out(`    false positive: ${f}`);
  }
}

const r = measureRedaction();
out('');
out(`Blind-screening redaction (test/fixtures/eval/redaction-corpus.ts): ${r.cvs} CVs, ${r.identifiers} identifiers`);
out('  leaks per identifier type:');
for (const [type, n] of Object.entries(r.checked)) out(`    ${type.padEnd(12)} ${String(r.leaks[type as keyof typeof r.leaks] ?? 0).padStart(3)} of ${n}`);
out(`  leaks per language: ${Object.entries(r.byLanguage).map(([l, n]) => `${l} ${n}`).join(', ')}`);
out(`  over-redaction: ${r.bodyLinesAltered.altered} of ${r.bodyLinesAltered.total} body lines (experience, skills) altered`);
out(`  (${r.ms} ms)`);
if (verbose) {
  for (const l of r.leaked) out(`  leak: ${l.id} ${l.type} ${l.value}`);
  for (const e of r.bodyLinesAltered.examples) out(`  altered: ${e}`);
}

const totalLeaks = Object.values(r.leaks).reduce((s, n) => s + n, 0);
const ok = d.detection.rate >= TARGETS.detection && d.falsePositives.rate <= TARGETS.falsePositives && totalLeaks <= TARGETS.leaks;
out('');
out(ok ? 'All targets met.' : 'TARGETS MISSED.');
process.exitCode = ok ? 0 : 1;
