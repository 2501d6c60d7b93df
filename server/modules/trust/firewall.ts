// Reads `nft list ruleset` (written by the playbook's firewall role) and says which ports
// the host's input chains accept. Pure: the ports check feeds it the file.

export interface InputChain {
  table: string;
  chain: string;
  policy: string;
  /** proto/port this chain accepts. */
  accepts: Set<string>;
  /** Accept rules on a port range or without a port (anything from anywhere). */
  broad: string[];
}

export interface FirewallListing {
  /** Every input-hook chain and its policy. */
  inputChains: { table: string; chain: string; policy: string }[];
  /**
   * proto/port that reach the host: a packet must pass every input chain, so a port is open
   * when every drop-by-default chain accepts it (chains with policy accept drop nothing here,
   * e.g. iptables-nft's empty INPUT). Sorted.
   */
  open: string[];
  /** Broad accept rules in drop-by-default chains. */
  broad: string[];
  /** Whether some input chain drops by default. */
  defaultDrop: boolean;
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
  const chains: InputChain[] = [];
  let table = '';
  let chain = '';
  let current: InputChain | null = null;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    const t = /^table\s+(\S+\s+\S+)\s*\{/.exec(line);
    if (t) {
      table = t[1] as string;
      current = null;
      continue;
    }
    const c = /^chain\s+(\S+)\s*\{/.exec(line);
    if (c) {
      chain = c[1] as string;
      current = null;
      continue;
    }
    const hook = /type\s+filter\s+hook\s+input\b.*policy\s+(\w+)/.exec(line);
    if (hook) {
      current = { table, chain, policy: hook[1] as string, accepts: new Set(), broad: [] };
      chains.push(current);
      continue;
    }
    if (!current || !/\baccept\b/.test(line)) continue;
    if (/^iif(name)?\s+"lo"/.test(line) || /^ct state/.test(line) || /icmp/.test(line)) continue;
    const d = /\b(tcp|udp)\s+dport\s+(\{[^}]*\}|\S+)/.exec(line);
    if (d) {
      const { list, range } = ports(d[2] as string);
      for (const p of list) current.accepts.add(`${d[1] as string}/${p}`);
      if (range) current.broad.push(`${d[1] as string}/${range}`);
    } else if (line === 'accept' || /^meta\s+l4proto\s+\S+\s+accept$/.test(line) || /^ip6?\s+saddr\s+\S+\s+accept$/.test(line)) {
      current.broad.push(line);
    }
  }
  const dropping = chains.filter((ch) => ch.policy === 'drop');
  let open: string[] = [];
  if (dropping.length) {
    const [first, ...rest] = dropping as [InputChain, ...InputChain[]];
    open = [...first.accepts].filter((p) => rest.every((ch) => ch.accepts.has(p) || ch.broad.length > 0));
  }
  open.sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
  return {
    inputChains: chains.map((ch) => ({ table: ch.table, chain: ch.chain, policy: ch.policy })),
    open,
    broad: dropping.length && dropping.every((ch) => ch.broad.length > 0) ? dropping.flatMap((ch) => ch.broad) : [],
    defaultDrop: dropping.length > 0,
  };
}
