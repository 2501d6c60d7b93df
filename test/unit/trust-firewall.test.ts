// The trust page's reading of `nft list ruleset` (server/modules/trust/firewall.ts).
import t from 'tap';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../../server/core/paths.js';
import { parseNftRuleset } from '../../server/modules/trust/firewall.js';

const fixture = readFileSync(join(packageRoot(), 'test', 'fixtures', 'trust', 'nft-ruleset.txt'), 'utf8');

t.test('the playbook ruleset: drop by default, SSH and HTTPS open; an empty iptables-nft INPUT opens nothing', async (t) => {
  const l = parseNftRuleset(fixture);
  t.equal(l.defaultDrop, true);
  t.same(l.open, ['tcp/22', 'tcp/443', 'udp/443']);
  t.same(l.broad, []);
  t.same(l.inputChains.map((c) => `${c.table}/${c.chain}/${c.policy}`), ['inet hirebox_filter/input/drop', 'ip filter/INPUT/accept']);
});

t.test('sets, small ranges, wide ranges and bare accepts', async (t) => {
  const l = parseNftRuleset(`table inet f {
\tchain input {
\t\ttype filter hook input priority filter; policy drop;
\t\ttcp dport { 22, 443, 8000-8002 } accept
\t\tudp dport 1000-65535 accept
\t}
}`);
  t.same(l.open, ['tcp/22', 'tcp/443', 'tcp/8000', 'tcp/8001', 'tcp/8002']);
  t.same(l.broad, ['udp/1000-65535']);
  const bare = parseNftRuleset('table inet f {\n\tchain input {\n\t\ttype filter hook input priority filter; policy drop;\n\t\taccept\n\t}\n}');
  t.same(bare.broad, ['accept']);
});

t.test('only accept-by-default chains: nothing drops', async (t) => {
  const l = parseNftRuleset('table ip filter {\n\tchain INPUT {\n\t\ttype filter hook input priority filter; policy accept;\n\t\ttcp dport 22 accept\n\t}\n}');
  t.equal(l.defaultDrop, false);
  t.same(l.open, []);
});

t.test('two dropping chains: a port is open only if both accept it', async (t) => {
  const l = parseNftRuleset(`table inet a {
\tchain input {
\t\ttype filter hook input priority filter; policy drop;
\t\ttcp dport { 22, 443, 5432 } accept
\t}
}
table inet b {
\tchain input {
\t\ttype filter hook input priority 10; policy drop;
\t\ttcp dport { 22, 443 } accept
\t}
}`);
  t.same(l.open, ['tcp/22', 'tcp/443']);
});
