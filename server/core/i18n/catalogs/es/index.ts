import type { Catalog } from '../../catalog-shape.js';
import { common } from './common.js';
import { problem } from './problem.js';

export const es: Catalog = { common, problem };
