import type { Catalog } from '../../catalog-shape.js';
import { common } from './common.js';
import { notice } from './notice.js';
import { problem } from './problem.js';

export const fr: Catalog = { common, notice, problem };
