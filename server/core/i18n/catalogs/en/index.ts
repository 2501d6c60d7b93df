// The English catalog: the source every other locale translates, key for key.
import { common } from './common.js';
import { notice } from './notice.js';
import { problem } from './problem.js';
import { portal } from './portal.js';
import { interview } from './interview.js';
import { typed } from './typed.js';
import { accommodation } from './accommodation.js';
import { mail } from './mail.js';
import { questions } from './questions.js';
import { demographics } from './demographics.js';
import { contest } from './contest.js';
import { careers } from './careers.js';
import { apply } from './apply.js';
import { aipage } from './aipage.js';
import { explanation } from './explanation.js';
import { resubmission } from './resubmission.js';

export const en = { common, notice, problem, portal, interview, typed, accommodation, mail, apply, careers, contest, demographics, questions, aipage, explanation, resubmission };
