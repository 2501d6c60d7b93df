// The shape every locale's catalog must have: exactly the English catalog's namespaces and
// keys, each a string. A missing or extra key in a shipped locale fails the type check
// (`npm test` starts with tsc); test/unit/i18n-catalogs.test.ts checks the rest (ICU syntax,
// the same arguments, nothing left in English).
import type { en } from './catalogs/en/index.js';

export type Shape<T> = { readonly [K in keyof T]: string };
export type Catalog = { readonly [N in keyof typeof en]: Shape<(typeof en)[N]> };
export type Namespace = keyof typeof en & string;
/** 'namespace.key' for every message of the English catalog. */
export type MessageKey = { [N in Namespace]: `${N}.${keyof (typeof en)[N] & string}` }[Namespace];
