// The English catalog: the source every other locale translates, key for key.
import { common } from './common.js';
import { notice } from './notice.js';
import { problem } from './problem.js';
import { portal } from './portal.js';
import { interview } from './interview.js';
import { typed } from './typed.js';
import { accommodation } from './accommodation.js';
import { mail } from './mail.js';

export const en = { common, notice, problem, portal, interview, typed, accommodation, mail };
