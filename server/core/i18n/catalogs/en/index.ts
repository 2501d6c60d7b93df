// The English catalog: the source every other locale translates, key for key.
import { common } from './common.js';
import { notice } from './notice.js';
import { problem } from './problem.js';

export const en = { common, notice, problem };
