// fast-check arbitraries for the fuzz suite: values generated from a route's own JSON
// schema (as the OpenAPI document at /api/docs describes it), and hostile mutations of
// them (wrong types, huge strings, NUL, bidi controls, deep nesting, extra and
// prototype-polluting keys). Case counts scale with FUZZ_RUNS.
import fc from 'fast-check';

export interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  items?: JsonSchema;
  minItems?: number;
  maxItems?: number;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
  enum?: unknown[];
  const?: unknown;
  format?: string;
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
}

/** Runs per property: FUZZ_RUNS (default small enough for CI on a busy 2-core box). */
export function fuzzRuns(defaultRuns: number): number {
  const n = Number(process.env.FUZZ_RUNS ?? '');
  return Number.isInteger(n) && n > 0 ? n : defaultRuns;
}

/** A fixed seed unless FUZZ_SEED is set, so a CI failure replays; the seed is printed. */
export function fuzzSeed(): number {
  const raw = process.env.FUZZ_SEED;
  return raw && Number.isInteger(Number(raw)) ? Number(raw) : 20261206;
}

const NASTY_STRINGS = [
  '',
  ' ',
  'x\u0000y',
  '\u202Eevil\u202C',
  '\u2066iso\u2069',
  '\ud800',
  '\udfff lone',
  '🚀',
  'e\u0301',
  '${jndi:ldap://x}',
  "' OR 1=1 --",
  '<script>alert(1)</script>',
  '../../etc/passwd',
  '%00',
  '__proto__',
  'constructor',
  '-1',
  '1e309',
  'NaN',
  'null',
  'true',
  '0x7fffffff',
  '\t\r\n',
  'ﬀ\uFEFF\u200B',
  '2026-13-45T25:61:61Z',
  '00000000-0000-0000-0000-000000000000',
];

const ISO = fc.date({ min: new Date('1970-01-01T00:00:00Z'), max: new Date('2100-01-01T00:00:00Z'), noInvalidDate: true });

function stringFor(schema: JsonSchema): fc.Arbitrary<string> {
  const min = schema.minLength ?? 0;
  const max = Math.max(min, Math.min(schema.maxLength ?? 40, 200));
  switch (schema.format) {
    case 'uuid':
      return fc.uuid();
    case 'email':
      return fc.emailAddress();
    case 'date-time':
      return ISO.map((d) => d.toISOString());
    case 'date':
      return ISO.map((d) => d.toISOString().slice(0, 10));
    case 'uri':
    case 'url':
      return fc.webUrl();
    default:
      break;
  }
  if (schema.pattern) {
    try {
      const maxLength = schema.maxLength ?? Infinity;
      // Stretched or cut to the length bounds (a filter would spin on e.g. exactly 43 characters).
      // eslint-disable-next-line security/detect-non-literal-regexp -- the route's own schema pattern
      return fc.stringMatching(new RegExp(schema.pattern)).map((s) => {
        let out = s || 'a';
        while (out.length < min) out += out;
        return out.slice(0, maxLength);
      });
    } catch {
      // a pattern fast-check cannot invert: plain strings below
    }
  }
  return fc.oneof({ weight: 4, arbitrary: fc.string({ minLength: min, maxLength: max, unit: 'grapheme' }) }, { weight: 1, arbitrary: fc.constantFrom(...NASTY_STRINGS) });
}

/** A value that satisfies (most of) `schema`. */
export function fromSchema(schema: JsonSchema | undefined, depth = 0): fc.Arbitrary<unknown> {
  if (!schema || depth > 6) return fc.constant('x');
  if (schema.const !== undefined) return fc.constant(schema.const);
  if (schema.enum) return fc.constantFrom(...schema.enum);
  const branches = schema.anyOf ?? schema.oneOf;
  if (branches?.length) return fc.oneof(...branches.map((b) => fromSchema(b, depth + 1)));
  if (schema.allOf?.length) return fromSchema(Object.assign({}, ...schema.allOf) as JsonSchema, depth + 1);
  const types = Array.isArray(schema.type) ? schema.type : schema.type ? [schema.type] : schema.properties ? ['object'] : ['string'];
  return fc.oneof(...types.map((type) => fromType(type, schema, depth)));
}

function fromType(type: string, schema: JsonSchema, depth: number): fc.Arbitrary<unknown> {
  switch (type) {
    case 'null':
      return fc.constant(null);
    case 'boolean':
      return fc.boolean();
    case 'integer': {
      const min = schema.minimum ?? (schema.exclusiveMinimum !== undefined ? schema.exclusiveMinimum + 1 : -1000);
      const max = schema.maximum ?? (schema.exclusiveMaximum !== undefined ? schema.exclusiveMaximum - 1 : 100_000);
      return fc.integer({ min: Math.ceil(min), max: Math.max(Math.ceil(min), Math.floor(max)) });
    }
    case 'number':
      return fc.double({ min: schema.minimum ?? -1e6, max: schema.maximum ?? 1e6, noNaN: true, noDefaultInfinity: true });
    case 'array': {
      const minLength = schema.minItems ?? 0;
      return fc.array(fromSchema(schema.items, depth + 1), { minLength, maxLength: Math.max(minLength, Math.min(schema.maxItems ?? 4, 6)) });
    }
    case 'object': {
      const props = schema.properties ?? {};
      const required = new Set(schema.required ?? []);
      const model: Record<string, fc.Arbitrary<unknown>> = {};
      for (const [k, s] of Object.entries(props)) model[k] = fromSchema(s, depth + 1);
      const requiredKeys = Object.keys(props).filter((k) => required.has(k));
      return fc.record(model, { requiredKeys });
    }
    default:
      return stringFor(schema);
  }
}

/** Values of the wrong kind for almost any field. */
export const wrongValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  fc.integer(),
  fc.constantFrom(1e308, -0, Number.MAX_SAFE_INTEGER + 2, -1),
  fc.constantFrom(...NASTY_STRINGS),
  fc.string({ unit: 'binary', maxLength: 30 }),
  fc.array(fc.integer(), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 5 }), fc.string({ maxLength: 5 }), { maxKeys: 3 }),
  fc.integer({ min: 10_000, max: 300_000 }).map((n) => 'A'.repeat(n)),
);

/** Stands for a nesting too deep to carry around as a value; expandDeep() writes it out as JSON text. */
const DEEP_MARK = '__deep_nesting__';

/** JSON text of `value` with every deep-nesting mark expanded to that many nested arrays/objects. */
export function jsonWithDeep(value: unknown): string {
  return (JSON.stringify(value) ?? 'null').replace(new RegExp(`"${DEEP_MARK}(\\d+)"`, 'g'), (_m, n: string) => {
    const levels = Number(n);
    let open = '';
    let close = '';
    for (let i = 0; i < levels; i++) {
      open += i % 2 ? '[' : '{"a":';
      close = (i % 2 ? ']' : '}') + close;
    }
    return `${open}"bottom"${close}`;
  });
}

export type Mutation = 'none' | 'wrong-type' | 'huge' | 'nul' | 'bidi' | 'deep' | 'extra' | 'proto' | 'drop' | 'not-object';

/** Applies one hostile mutation to a generated value, at a random place in it. */
export function mutate(value: unknown, mutation: Mutation, pick: number, replacement: unknown): unknown {
  switch (mutation) {
    case 'none':
      return value;
    case 'not-object':
      return replacement;
    case 'deep':
      return withLeaf(value, pick, () => `${DEEP_MARK}${2000 + (pick % 8000)}`);
    case 'extra':
      return isPlainObject(value) ? { ...value, [`extra${pick}`]: replacement, $where: '1', 'a.b': 1 } : value;
    case 'proto':
      return isPlainObject(value) ? JSON.parse(`{"__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}},${JSON.stringify(value).slice(1)}`.replace(/,}$/, '}')) : value;
    case 'drop':
      if (isPlainObject(value)) {
        const keys = Object.keys(value);
        if (keys.length) {
          const copy = { ...value };
          delete copy[keys[pick % keys.length] as string];
          return copy;
        }
      }
      return value;
    default:
      return withLeaf(value, pick, (leaf) => {
        if (mutation === 'wrong-type') return replacement;
        const s = typeof leaf === 'string' ? leaf : (JSON.stringify(leaf) ?? 'x');
        if (mutation === 'huge') return s + 'Ω'.repeat(50_000 + (pick % 200_000));
        if (mutation === 'nul') return `${s}\u0000${s}`;
        return `\u202E${s}\u2066x`; // bidi
      });
  }
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Replaces the (pick mod n)-th leaf (or the root when there are none). */
function withLeaf(value: unknown, pick: number, replace: (leaf: unknown) => unknown): unknown {
  const leaves: string[][] = [];
  const walk = (v: unknown, path: string[]): void => {
    if (Array.isArray(v)) v.forEach((x, i) => walk(x, [...path, String(i)]));
    else if (isPlainObject(v)) for (const [k, x] of Object.entries(v)) walk(x, [...path, k]);
    else leaves.push(path);
  };
  walk(value, []);
  const target = leaves[pick % Math.max(1, leaves.length)] ?? [];
  if (!target.length) return replace(value);
  const copy = structuredClone(value) as Record<string, unknown>;
  let node: Record<string, unknown> = copy;
  for (const key of target.slice(0, -1)) node = node[key] as Record<string, unknown>;
  const last = target[target.length - 1] as string;
  node[last] = replace(node[last]);
  return copy;
}

export const mutationArb: fc.Arbitrary<Mutation> = fc.constantFrom<Mutation>('none', 'none', 'none', 'wrong-type', 'huge', 'nul', 'bidi', 'deep', 'extra', 'proto', 'drop', 'not-object');
