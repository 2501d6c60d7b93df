// Editing a list held in form state: each returns a new array (state must not be mutated);
// the items not touched stay the same objects.

/** The list with item `i` changed by `patch`. */
export function patchAt<T extends object>(list: readonly T[], i: number, patch: Partial<T>): T[] {
  return list.map((x, j) => (j === i ? { ...x, ...patch } : x));
}

/** The list with item `i` replaced by `value`. */
export function replaceAt<T>(list: readonly T[], i: number, value: T): T[] {
  return list.map((x, j) => (j === i ? value : x));
}

/** The list without item `i`. */
export function removeAt<T>(list: readonly T[], i: number): T[] {
  return list.filter((_, j) => j !== i);
}
