// HTML of /trust and /trust/<org>: plain HTML and one stylesheet, no script (strict CSP),
// written for a candidate or a customer's security reviewer. Status is spelled out in
// words, not only in colour.
import { escapeHtml } from '../public/index.js';
import type { Json } from '../../core/canonical-json.js';
import type { LineStatus, TrustDocument, TrustLine } from './service.js';

const LABEL: Readonly<Record<LineStatus, string>> = {
  pass: 'Passing',
  fail: 'Failing',
  unknown: 'Unknown',
  stale: 'Failing (stale)',
  not_run: 'Failing (not checked yet)',
  hidden: 'Hidden by the operator',
};

export const TRUST_CSS = `body{font:16px/1.5 system-ui,sans-serif;margin:0;color:#1b1f24;background:#f6f7f9}
main{max-width:60rem;margin:0 auto;padding:1.5rem}
h1{margin:.2rem 0 .4rem;font-size:1.7rem}
.lead{color:#444;margin-top:0}
.totals{display:flex;gap:1rem;flex-wrap:wrap;margin:1rem 0;padding:0;list-style:none}
.totals li{background:#fff;border:1px solid #d9dde3;border-radius:.4rem;padding:.4rem .8rem}
.check{background:#fff;border:1px solid #d9dde3;border-left:.5rem solid #8a939e;border-radius:.4rem;padding:.8rem 1rem;margin:.8rem 0}
.check.pass{border-left-color:#1f883d}.check.fail,.check.stale,.check.not_run{border-left-color:#cf222e}.check.unknown{border-left-color:#bf8700}.check.hidden{border-left-color:#57606a}
.check h2{font-size:1.1rem;margin:0;display:flex;justify-content:space-between;gap:1rem}
.badge{font-size:.85rem;font-weight:600;white-space:nowrap}
.pass .badge{color:#1a7f37}.fail .badge,.stale .badge,.not_run .badge{color:#cf222e}.unknown .badge{color:#9a6700}
.promise{margin:.3rem 0}.result{margin:.3rem 0;font-weight:500}
details{margin-top:.3rem;color:#444;font-size:.9rem}
dl{display:grid;grid-template-columns:minmax(0,max-content) minmax(0,1fr);gap:.1rem .8rem;margin:.4rem 0}
dt{font-weight:600;overflow-wrap:anywhere}dd{margin:0;overflow-wrap:anywhere}
code,pre{font-size:.85rem;background:#eef0f3;border-radius:.3rem;padding:.1rem .3rem}
pre{padding:.6rem;overflow-x:auto;max-width:100%;white-space:pre-wrap;overflow-wrap:anywhere}
.wide{overflow-x:auto}
main,section,article{min-width:0}
p,td{overflow-wrap:anywhere}
.meta{color:#57606a;font-size:.85rem}
section.settings{background:#fff;border:1px solid #d9dde3;border-radius:.4rem;padding:.8rem 1rem;margin:1rem 0}
table{border-collapse:collapse;width:100%}td,th{text-align:left;padding:.25rem .5rem;border-bottom:1px solid #e3e6ea;vertical-align:top}
`;

function value(v: Json): string {
  if (v === null) return '—';
  if (Array.isArray(v)) return v.length ? v.map((x) => (typeof x === 'object' && x !== null ? (((x as Record<string, Json>).name as string | undefined) ?? JSON.stringify(x)) : String(x))).join(', ') : 'none';
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

function renderLine(l: TrustLine): string {
  const evidence = Object.entries(l.evidence);
  return `<article class="check ${l.status}" id="check-${escapeHtml(l.id)}" data-check="${escapeHtml(l.id)}" data-status="${l.status}">
<h2><span>${escapeHtml(l.title)}</span><span class="badge">${LABEL[l.status]}</span></h2>
<p class="promise">${escapeHtml(l.promise)}</p>
<p class="result">${escapeHtml(l.summary)}</p>
<p class="meta">Check <code>${escapeHtml(l.id)}</code>${l.checkedAt ? ` · checked ${escapeHtml(l.checkedAt)} · every ${Math.round(l.intervalSeconds / 60)} min · shown until ${escapeHtml(l.staleAfter ?? '')}` : ''}${l.failingSince ? ` · failing since ${escapeHtml(l.failingSince)}` : ''}</p>
<details><summary>How this is checked${evidence.length ? ' and the evidence' : ''}</summary>
<p>${escapeHtml(l.how)}</p>
${evidence.length ? `<dl>${evidence.map(([k, v]) => `<dt>${escapeHtml(k)}</dt><dd>${escapeHtml(value(v))}</dd>`).join('')}</dl>` : ''}
</details>
</article>`;
}

function renderSettings(doc: TrustDocument): string {
  const s = doc.settings;
  if (!s) return '';
  const ai = s.ai as Record<string, Json>;
  const subs = s.subprocessors as { name: string; purpose: string; location: string; data: string }[];
  return `<section class="settings" id="org-settings">
<h2>${escapeHtml(doc.org?.name ?? '')}: its own settings</h2>
<dl>
<dt>Retention</dt><dd>Candidate data is erased ${escapeHtml(String(s.retentionDays))} days after the last decision.</dd>
<dt>AI screening</dt><dd>${escapeHtml(String(ai.provider))}; model ${escapeHtml(String(ai.model))} (${escapeHtml(String(ai.modelSource))})${ai.paused ? '; currently paused' : ''}; requests sent with store:false.</dd>
${ai.interviews ? `<dt>Voice interviews</dt><dd>${escapeHtml(value(ai.interviews))}</dd>` : ''}
</dl>
<h3>Subprocessors</h3>
${subs.length ? `<div class="wide"><table><thead><tr><th>Name</th><th>Purpose</th><th>Where</th><th>Data</th></tr></thead><tbody>${subs.map((p) => `<tr><td>${escapeHtml(p.name)}</td><td>${escapeHtml(p.purpose)}</td><td>${escapeHtml(p.location)}</td><td>${escapeHtml(p.data)}</td></tr>`).join('')}</tbody></table></div>` : '<p>None: no candidate data leaves this installation.</p>'}
</section>`;
}

export function renderTrustPage(doc: TrustDocument): string {
  const base = doc.org ? `/trust/${encodeURIComponent(doc.org.slug)}/trust.json` : '/trust.json';
  const title = doc.org ? `Trust: ${doc.org.name}` : 'Trust';
  const host = new URL(doc.install).host;
  const s = doc.summary;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${escapeHtml(title)} · ${escapeHtml(host)}</title>
<link rel="stylesheet" href="/trust/trust.css"></head>
<body><main>
<h1>${escapeHtml(title)}</h1>
<p class="lead">Every line below is a check run against this installation (${escapeHtml(host)}), not a statement. A result is shown only until its interval has passed; an out-of-date or failing check is shown as failing.${doc.org ? ` This page adds what applies to ${escapeHtml(doc.org.name)} only.` : ''}</p>
<ul class="totals"><li><strong>${s.passing}</strong> of ${s.total} passing</li><li><strong>${s.failing}</strong> failing</li><li><strong>${s.unknown}</strong> unknown</li>${s.hidden ? `<li><strong>${s.hidden}</strong> hidden by the operator</li>` : ''}</ul>
${renderSettings(doc)}
${doc.lines.map(renderLine).join('\n')}
<section class="settings" id="verify"><h2>Verify this page</h2>
<p>The same results are published as <a href="${base}">signed JSON</a> with a detached Ed25519 signature (<a href="${base}.sig">${base.split('/').pop() ?? 'trust.json'}.sig</a>) made with this installation's audit signing key (id <code>${escapeHtml(doc.signingKey.keyId)}</code>, public key at <a href="/trust/key.pem">/trust/key.pem</a>). Anyone can check a saved copy came from here unedited:</p>
<pre>curl -sO ${escapeHtml(doc.install)}${base} -O ${escapeHtml(doc.install)}${base}.sig -o key.pem ${escapeHtml(doc.install)}/trust/key.pem
openssl pkeyutl -verify -pubin -inkey key.pem -rawin -in trust.json -sigfile trust.json.sig</pre>
<p class="meta">Security contact: <a href="/.well-known/security.txt">/.well-known/security.txt</a></p>
</section>
</main></body></html>
`;
}
