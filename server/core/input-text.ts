// Text Postgres cannot store (NUL, unpaired surrogates): the check services and the
// input-text plugin share (the plugin refuses such text at the edge for every route).
import { ValidationError } from './errors.js';

// In a u-mode RegExp \p{Cs} matches only surrogates that are not part of a pair.
const UNSTORABLE = /\u0000|\p{Cs}/u;
export const UNSTORABLE_MESSAGE = 'must not contain NUL or unpaired surrogate characters';

/** Whether a string holds a code point Postgres text/jsonb cannot store. */
export function isUnstorable(text: string): boolean {
  return UNSTORABLE.test(text);
}

/**
 * The JSON-pointer-like path of the first string (or object key) in `value` that Postgres
 * cannot store, or null. Iterative, so a deeply nested body cannot overflow the stack.
 */
export function unstorableTextPath(value: unknown, root: string): string | null {
  const stack: [unknown, string][] = [[value, root]];
  while (stack.length > 0) {
    const [node, path] = stack.pop() as [unknown, string];
    if (typeof node === 'string') {
      if (isUnstorable(node)) return path;
    } else if (Array.isArray(node)) {
      node.forEach((item, i) => stack.push([item, `${path}/${i}`]));
    } else if (node !== null && typeof node === 'object') {
      // Data only: parsed JSON, query and params objects (the query parser's have no Object
      // prototype); never bytes or streams.
      if (ArrayBuffer.isView(node) || typeof (node as { pipe?: unknown }).pipe === 'function') continue;
      for (const [key, child] of Object.entries(node as Record<string, unknown>)) {
        const at = `${path}/${key.replace(/[^\x20-\x7e]/g, '?').slice(0, 100)}`;
        if (isUnstorable(key)) return at;
        stack.push([child, at]);
      }
    }
  }
  return null;
}

export function unstorableTextError(path: string): ValidationError {
  return new ValidationError([{ path, message: UNSTORABLE_MESSAGE }], 'Text may not contain NUL characters or unpaired surrogates.');
}
