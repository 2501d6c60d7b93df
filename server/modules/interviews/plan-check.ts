// The protected-characteristics check for interview questions (issue 22 item 4). An
// interview may not ask about age, family, origin, religion, health, disability, pregnancy
// or sexual orientation: asking is itself discriminatory in the EU (and the answers could
// not be unlearned by a scorer). Every shipped language's lexicon is applied to every
// question, whatever the plan's language, because a German plan can still contain an
// English phrase. Matching is on a normalised form (lower case, no diacritics, ß -> ss)
// with word boundaries; phrases are chosen so common job words ("health check", "race
// condition", "child process", "glauben Sie, dass", "beperkingen van het systeem") do not
// trip it. The fixture in test/fixtures/protected-questions.ts measures both directions.

export const PROTECTED_CATEGORIES = ['age', 'family', 'origin', 'religion', 'health', 'disability', 'pregnancy', 'sexual_orientation'] as const;
export type ProtectedCategory = (typeof PROTECTED_CATEGORIES)[number];

const LABEL: Record<ProtectedCategory, string> = {
  age: 'age',
  family: 'family or marital status',
  origin: 'ethnic or national origin',
  religion: 'religion or belief',
  health: 'health',
  disability: 'disability',
  pregnancy: 'pregnancy or parental leave',
  sexual_orientation: 'sexual orientation or gender identity',
};

/** Alternatives per category (normalised text; each is wrapped in word boundaries). */
const LEXICON: Record<ProtectedCategory, string[]> = {
  age: [
    // en
    'how old', 'your age', 'what age', 'date of birth', 'year of birth', 'birth ?date', 'birthday', '(when|what year) (were|was) you born', 'your retirement', 'plan(s|ning)? to retire', 'retirement plans', 'too old', 'too young',
    // de
    'wie alt', 'ihr alter', 'dein alter', 'ihres alters', 'lebensalter', 'geburtsjahr', 'geburtsdatum', 'geburtstag', '(wann|welchem jahr) (sind|bist) (sie|du) geboren', 'jahrgang', 'ruhestand', 'in rente gehen', 'renteneintritt',
    // fr
    'quel age', 'votre age', 'ton age', 'date de naissance', 'annee de naissance', 'en quelle annee (etes|es)[- ](vous|tu) nee?', 'retraite',
    // es
    'cuantos anos tien\\w*', 'su edad', 'tu edad', 'que edad', 'fecha de nacimiento', 'ano de nacimiento', 'en que ano naci\\w*', 'jubila\\w*',
    // nl
    'hoe oud', 'uw leeftijd', 'je leeftijd', 'jouw leeftijd', 'leeftijd', 'geboortejaar', 'geboortedatum', 'verjaardag', 'wanneer (bent u|ben je) geboren', 'pensioen',
  ],
  family: [
    'married', 'marital', 'spouse', 'husband', 'wife', 'divorc\\w*', 'widow\\w*', '(have|any|your|with|plan\\w* to have) (any )?(children|kids)', 'childcare', 'child care', '(start|starting|have|your) (a )?family', 'family (plans|situation|status|life)', 'single parent',
    'verheiratet', 'familienstand', 'kinder', 'kinderbetreuung', 'ehe', 'ehemann', 'ehefrau', 'ehepartner\\w*', 'ledig', 'geschieden', 'familienplanung', 'familie grunden', 'familiare situation',
    'mariee?s?', 'etat civil', 'situation familiale', 'enfants?', 'conjoint\\w*', 'mari', 'epouse', 'fonder une famille', 'divorce\\w*', 'celibataire',
    'casad[oa]s?', 'estado civil', 'hij[oa]s?', 'espos[oa]', 'marido', 'formar una familia', 'divorciad[oa]s?', 'solter[oa]', 'situacion familiar',
    'getrouwd', 'burgerlijke staat', 'kinderen', 'een kind', 'echtgeno\\w*', 'gezin\\w*', 'gezinsuitbreiding', 'gescheiden', 'kinderopvang', 'vrijgezel', 'gezinssituatie',
  ],
  origin: [
    'where (are|were) you (originally )?(from|born)', 'nationality', 'citizenship', 'ethnic\\w*', '(your|what) race', 'racial', 'native language', 'mother tongue', 'first language', 'country of (birth|origin)', 'your accent', 'immigra\\w*', 'heritage', 'skin colou?r',
    'herkunft', 'woher (kommen|stammen) (sie|du)', 'woher (kommst|stammst) du', 'staatsangehorigkeit', 'nationalitat', 'ethnisch\\w*', 'muttersprache', 'geburtsland', 'wo (sind|bist) (sie|du) geboren', 'hautfarbe', 'migrationshintergrund', 'abstammung',
    "d'?ou (venez|viens)[- ](vous|tu)", 'nationalite', 'ethni\\w*', 'langue maternelle', 'pays (de naissance|d.origine)', 'ou (etes|es)[- ](vous|tu) nee?', 'vos origines', 'votre origine', 'couleur de peau',
    'de donde (es|eres)', 'nacionalidad', 'etni\\w*', 'lengua materna', 'pais de (nacimiento|origen)', 'donde naci\\w*', 'su origen', 'tu origen', 'color de piel', 'raza',
    'waar (kom je|komt u|kom jij) vandaan', 'nationaliteit', 'etnisch\\w*', 'etniciteit', 'afkomst', 'moedertaal', 'geboorteland', 'waar (bent u|ben je) geboren', 'huidskleur', 'migratieachtergrond',
  ],
  religion: [
    'religio\\w*', 'church', 'mosque', 'synagogue', 'pray\\w*', 'believe in (a )?god', 'your god', 'ramadan', 'sabbath', 'christian', 'muslim', 'jewish', 'hindu', 'buddhist', 'atheist',
    'religios\\w*', 'glaubensrichtung', 'konfession\\w*', 'kirche\\w*', 'moschee', 'synagoge', 'beten', 'an gott', 'muslimisch\\w*', 'judisch\\w*', 'christlich\\w*',
    'religi\\w*', 'croyant\\w*', 'pratiquant\\w*', 'eglise', 'mosquee', 'en dieu', 'musulman\\w*', 'juif\\w*', 'juive', 'chretien\\w*',
    'creyente', 'iglesia', 'mezquita', 'sinagoga', 'rezar', 'en dios', 'judi[oa]', 'cristian[oa]', 'catolic[oa]',
    'religie\\w*', 'religieu\\w*', 'geloof', 'gelovig\\w*', 'kerk', 'moskee', 'bidden', 'in god', 'moslim', 'joods\\w*', 'christelijk\\w*',
  ],
  health: [
    'your health', 'health (problems?|issues?|conditions?)', 'medical (history|conditions?|problems?|treatment)', 'medicat\\w*', 'illness\\w*', 'sick', 'sick (leave|days)', 'been diagnosed', 'mental health', 'depress\\w*', 'therapy', 'therapist', 'surgery', 'chronic', 'do you smoke', 'smoker', 'smoking', 'do you drink',
    'gesundheit', 'gesundheitszustand', 'gesundheitlich\\w*', 'krank', 'krankheit\\w*', 'krankgeschrieben', 'krankentage', 'fehltage', 'medikament\\w*', 'psychisch\\w*', 'depression\\w*', 'therapie', 'chronisch\\w*', 'raucher\\w*', 'rauchen (sie|du)',
    'votre (etat de )?sante', 'problemes? de sante', 'etat de sante', 'maladie\\w*', 'malade', 'medicament\\w*', 'traitement medical', 'arret maladie', 'chronique\\w*', 'fume\\w*', 'fumeur\\w*',
    'su salud', 'tu salud', 'problemas? de salud', 'estado de salud', 'enfermedad\\w*', 'enferm[oa]', 'medicamento\\w*', 'medicacion', 'depresion', 'baja medica', 'cronic[oa]', 'fuma\\w*',
    'gezondheid', 'gezondheidsproblemen', 'gezondheidsklachten', 'ziek', 'ziekte\\w*', 'ziekteverzuim', 'ziekgemeld', 'medicijn\\w*', 'medicatie', 'depressie\\w*', 'chronisch\\w*', 'rookt', 'roken (u|je)',
  ],
  disability: [
    'disabilit(y|ies)', 'are you disabled', 'disabled person', 'handicap\\w*', 'impairment\\w*', 'impaired', 'wheelchair', 'deaf', 'autis\\w*', 'adhd', 'dyslexi\\w*',
    'behinderung\\w*', 'sind sie behindert', 'schwerbehindert\\w*', 'rollstuhl', 'gehorlos', 'adhs', 'legasthen\\w*', 'beeintrachtigung\\w*',
    'invalidite', 'fauteuil roulant', 'sourde?', 'tdah', 'dyslexi\\w*', 'rqth',
    'discapacidad\\w*', 'discapacitad[oa]', 'minusvali\\w*', 'silla de ruedas', 'sord[oa]',
    'gehandicapt\\w*', 'functiebeperking', 'arbeidsbeperking', 'lichamelijke beperking', '(een|uw|je|jouw) beperking', 'rolstoel', 'doof', 'dyslexie', 'wajong',
  ],
  pregnancy: [
    'pregnan\\w*', 'maternity', 'paternity', 'expecting a (baby|child)', 'baby', 'birth control', 'parental leave',
    'schwanger\\w*', 'mutterschutz', 'mutterschaft\\w*', 'elternzeit', 'nachwuchs', 'kinderwunsch',
    'enceinte', 'grossesse\\w*', 'maternite', 'conge parental', 'bebe',
    'embarazad[oa]s?', 'embarazo', 'maternidad', 'permiso parental',
    'zwanger\\w*', 'zwangerschap\\w*', 'moederschap', 'ouderschapsverlof', 'kinderwens',
  ],
  sexual_orientation: [
    'sexual (orientation|preference)s?', 'sexuality', 'gay', 'lesbian\\w*', 'bisexual\\w*', 'homosexual\\w*', 'heterosexual\\w*', 'lgbt\\w*', 'queer', 'boyfriend', 'girlfriend', 'same[- ]sex', 'gender identity', 'transgender',
    'sexuelle (orientierung|identitat|neigung)', 'sexualitat', 'schwul\\w*', 'lesbisch\\w*', 'homosexuell\\w*', 'heterosexuell\\w*', 'bisexuell\\w*', 'gleichgeschlechtlich\\w*', 'geschlechtsidentitat', 'feste freundin', 'fester freund',
    'orientation sexuelle', 'sexualite', 'lesbienne\\w*', 'homosexuel\\w*', 'heterosexuel\\w*', 'bisexuel\\w*', 'meme sexe', 'identite de genre', 'transgenre', 'petite? amie?',
    'orientacion sexual', 'sexualidad', 'gay', 'lesbiana\\w*', 'homosexual\\w*', 'bisexual\\w*', 'mismo sexo', 'identidad de genero', 'transgenero', 'novi[oa]',
    'seksuele (orientatie|voorkeur|geaardheid)', 'seksualiteit', 'geaardheid', 'homo', 'homoseksu\\w*', 'biseksu\\w*', 'hetero', 'heteroseksu\\w*', 'lhbt\\w*', 'zelfde geslacht', 'genderidentiteit',
  ],
};

// eslint-disable-next-line security/detect-non-literal-regexp -- built once from the constant lexicon above, never from input
const PATTERNS: { category: ProtectedCategory; re: RegExp }[] = PROTECTED_CATEGORIES.map((category) => ({ category, re: new RegExp(`(?<![\\p{L}\\p{N}])(?:${LEXICON[category].join('|')})(?![\\p{L}\\p{N}])`, 'u') }));

/** Lower case, diacritics removed, ß -> ss, apostrophes unified, whitespace collapsed. */
export function normaliseForCheck(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/ß/g, 'ss')
    .replace(/[\u2018\u2019\u02bc`´]/g, "'")
    .replace(/\s+/g, ' ')
    .trim();
}

export interface ProtectedHit {
  category: ProtectedCategory;
  /** The matched words (normalised), for the recruiter's message. */
  match: string;
  reason: string;
}

/** The first protected characteristic a question asks about, or null when it asks about none. */
export function protectedCharacteristic(question: string): ProtectedHit | null {
  const text = normaliseForCheck(question);
  for (const { category, re } of PATTERNS) {
    const m = re.exec(text);
    if (m) return { category, match: m[0], reason: `The question asks about ${LABEL[category]} ("${m[0]}"), a protected characteristic an interview must not ask about.` };
  }
  return null;
}
