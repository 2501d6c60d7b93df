// Every shipped catalog, by locale.
import type { Locale } from '../locales.js';
import type { Catalog } from '../catalog-shape.js';
import { en } from './en/index.js';
import { de } from './de/index.js';
import { fr } from './fr/index.js';
import { es } from './es/index.js';
import { nl } from './nl/index.js';

export const CATALOGS: Record<Locale, Catalog> = { en, de, fr, es, nl };
