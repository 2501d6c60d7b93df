// Reads `nft list ruleset` (written by the playbook's firewall role) and says which ports
// the host's input chains accept. Pure: the ports check feeds it the file.

export interface FirewallListing {
  /** Every input-hook chain and its policy. */
  inputChains: { table: string; chain: string; policy: string }[];
  /** proto/port accepted by an input-hook chain, sorted. */
  open: string[];
  /** Accept rules on a port range or without a port (anything from anywhere). */
  broad: string[];
}

function ports(spec: string): { list: number[]; range: string | null } {
  const inner = spec.replace(/^\{|\}$/g, '');
  const list: number[] = [];
  let range: string | null = null;
  for (const part of inner.split(',').map((s) => s.trim()).filter(Boolean)) {
    if (/^\d+$/.test(part)) list.push(Number(part));
    else if (/^\d+-\d+$/.test(part)) {
      const [a, b] = part.split('-').map(Number) as [number, number];
      if (b - a <= 16) for (let p = a; p <= b; p++) list.push(p);
      else range = part;
    } else range = part;
  }
  return { list, range };
}

export function parseNftRuleset(text: string): FirewallListing {
  const inputChains: FirewallListing['inputChains'] = [];
  const open = new Set<string>();
  const broad: string[] = [];
  let table = '';
  let chain = '';
  let isInput = false;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    const t = /^table\s+(\S+\s+\S+)\s*\{/.exec(line);
    if (t) {
      table = t[1] as string;
      continue;
    }
    const c = /^chain\s+(\S+)\s*\{/.exec(line);
    if (c) {
      chain = c[1] as string;
      isInput = false;
      continue;
    }
    const hook = /type\s+filter\s+hook\s+input\b.*policy\s+(\w+)/.exec(line);
    if (hook) {
      isInput = true;
      inputChains.push({ table, chain, policy: hook[1] as string });
      continue;
    }
    if (!isInput || !/\baccept\b/.test(line)) continue;
    if (/^iif(name)?\s+"lo"/.test(line) || /^ct state/.test(line) || /icmp/.test(line)) continue;
    const d = /\b(tcp|udp)\s+dport\s+(\{[^}]*\}|\S+)/.exec(line);
    if (d) {
      const { list, range } = ports(d[2] as string);
      for (const p of list) open.add(`${d[1] as string}/${p}`);
      if (range) broad.push(`${d[1] as string}/${range}`);
    } else if (line === 'accept' || /^meta\s+l4proto\s+\S+\s+accept$/.test(line) || /^ip6?\s+saddr\s+\S+\s+accept$/.test(line)) {
      broad.push(line);
    }
  }
  const sorted = [...open].sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
  return { inputChains, open: sorted, broad };
}
