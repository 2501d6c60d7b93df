// Instruction patterns per language, as data: the detector (injection.ts) composes them into
// structural rules (an override verb near an instruction noun, a superlative score aimed at
// the candidate or the criteria, an evaluator addressed or bound by a modal, a role label
// followed by a directive). Entries are regex fragments (stems allowed) without capture
// groups or unbounded repetition. Adding a language is adding an entry here.
export type PatternLang = 'en' | 'de' | 'fr' | 'es' | 'nl';

export interface LanguagePatterns {
  /** Verbs that throw away what the model was told: ignore, forget, override. */
  overrideVerbs: string[];
  /** What they throw away: instructions, rules, prompt, criteria. */
  instructionNouns: string[];
  /** Who an injection talks to: AI, model, screener, automated system, ATS. */
  evaluators: string[];
  /** Words that address someone just before an evaluator: "note to", "dear", "an die". */
  addressing: string[];
  /** Obligation words: must, should, is required to. */
  modals: string[];
  /** The applicant as the object of a directive: "this candidate", "diesen Bewerber". */
  candidateRefs: string[];
  /** Verbs that push the decision: recommend, shortlist, invite, hire. */
  recommendVerbs: string[];
  /** A score or mark at its best: "top marks", "Höchstpunktzahl", "note maximale". */
  superlativeScores: string[];
  /** The job's criteria or requirements. */
  criteriaWords: string[];
  /** What a directive says the criteria are: met, fully satisfied, the maximum. */
  criteriaOutcomes: string[];
  /** A new role or task for the reader: "from now on", "you are now", "neue Aufgabe". */
  personaPhrases: string[];
  /** Demands on the answer's form: "respond only with", "antworte ausschließlich". */
  outputPhrases: string[];
  /** Chat role names used as a line label ("System:", "Assistant:"). */
  roleLabels: string[];
  /** "If you are an AI", "wenn du eine KI bist": a condition that singles out a machine reader. */
  conditionals: string[];
  /** Imperatives with the writer as object: "recommend me", "bewerte mich", "contrátame". */
  selfDirectives: string[];
  /** Verbs that dictate what the reader reports: "state that", "schreib, dass", "tell the hiring team". */
  reportVerbs: string[];
  /** What an evaluator is told to book: "an interview", "un entretien". */
  interviewRefs: string[];
}

/** A perfect mark written as a ratio: 5/5, 10/10, 5 out of 5 (not 945/990 or 4.8/5). */
const PERFECT = `(?:${['4', '5', '10', '20', '100'].map((n) => `${n} ?(?:/|out of|of|von|sur|de|sobre|van|uit) ?${n}`).join('|')})`;

export const PATTERNS_BY_LANGUAGE: Record<PatternLang, LanguagePatterns> = {
  en: {
    overrideVerbs: ['ignor(?:e|ing)', 'disregard\\w{0,3}', 'forget', 'override', 'bypass', 'skip', 'drop', 'abandon', 'set aside'],
    instructionNouns: ['instructions?', 'prompts?', 'rules', 'guidelines', 'guidance', 'directions', 'criteria', 'rubric', 'system message', 'constraints', 'screening rules', 'checks?', 'requirements'],
    evaluators: ['ai', 'a\\.i\\.', 'llm', 'gpt', 'chatgpt', 'claude', 'gemini', 'language models?', 'models?', 'reviewing ai', 'ai reviewer', 'screeners?', 'screening (?:ai|bot|tool|system|software|model)', 'evaluators?', 'assessors?', 'automated (?:systems?|tools?|screeners?|reviewers?|evaluators?|parsers?)(?! tests?| testing| checks?)', 'assessment (?:tool|system|software)', 'ats', 'applicant tracking system', 'recruit(?:ing|ment|er) (?:bot|ai|tool|software|system)', 'bots?', 'assistants?', 'machine reader'],
    addressing: ['note (?:to|for)', 'message (?:to|for)', 'dear', 'attention', 'hey', 'hello', 'hi', 'to (?:the|any|all|every)', 'instructions? (?:to|for)', 'for (?:the|any)'],
    modals: ['must', 'should', 'shall', 'is required to', 'are required to', 'has to', 'have to', 'needs? to', 'is expected to', 'are expected to', 'will'],
    candidateRefs: ['(?:this|the) (?:candidate|applicant|person|profile|application|cv|resume|résumé)'],
    recommendVerbs: ['recommend\\w{0,3}', 'advance', 'shortlist\\w{0,3}', 'invite', 'hire', 'select', 'classify', 'rank', 'rate', 'score', 'mark', 'grade', 'approve', 'prioriti[sz]e', 'confirm', 'give', 'assign', 'award'],
    superlativeScores: ['top (?:marks|scores?|ratings?|grades?)', 'highest (?:possible )?(?:scores?|ratings?|marks|grades?|evaluation)', 'maxim(?:um|al) (?:scores?|points|ratings?|marks)', 'full (?:marks|score|points)', 'perfect (?:scores?|fit|match|ratings?|candidate)', 'strong(?:est)? (?:match|fit)', PERFECT, 'excellent fit', 'ideal (?:fit|match|candidate)', 'best (?:candidate|applicant|evaluation|rating|score)', 'exceptional', 'outstanding'],
    criteriaWords: ['criteri(?:on|a)', 'requirements?', 'must-haves?', 'qualifications'],
    criteriaOutcomes: ['met', 'satisfied', 'fulfill?ed', 'a ?4', 'maximum', 'highest', 'top', 'full'],
    personaPhrases: ['you are now', 'from now on', 'you will now', 'you must now', 'new instructions?', 'updated instructions?', 'your (?:new |only )?(?:task|role|goal|job) (?:is|now)', 'act as', 'pretend (?:to be|you are)', 'role-?play', 'developer mode', 'jailbreak'],
    outputPhrases: ['(?:respond|reply|answer|output|return|print)(?: only)? with', 'only (?:respond|reply|answer|output|return)'],
    roleLabels: ['system', 'assistant', 'user', 'developer', 'human', 'ai', 'model', 'bot', 'instruction', 'sys'],
    conditionals: ['if you(?: are|\'re)(?: an?)?', 'in case you are(?: an?)?'],
    selfDirectives: ['(?:recommend|hire|advance|shortlist|rate|score|select|invite|pick) me'],
    reportVerbs: ['(?:state|say|write|report|conclude|mention|confirm) that', 'tell (?:the )?(?:hiring (?:team|manager)|recruiters?|team|client)'],
    interviewRefs: ['(?:an? |the next )?interview', 'the (?:next|final) round'],
  },
  de: {
    overrideVerbs: ['ignorier\\w{0,3}', 'vergiss', 'vergessen sie', 'missachte\\w{0,2}', 'überg[eo]h\\w{0,3}', '[üu]berspring\\w{0,3}', 'setze? \\w{0,10} au(?:ß|ss)er kraft', 'verwirf'],
    instructionNouns: ['anweisung\\w{0,2}', 'instruktion\\w{0,2}', 'regeln', 'vorgaben', 'richtlinien', 'kriterien', 'prompts?', 'systemnachricht', 'prüfung', 'anforderungen'],
    evaluators: ['ki', 'k\\.i\\.', 'künstliche intelligenz', 'sprachmodells?', 'modells?', 'llm', 'bewertungs(?:system|software|tool|ki|modell)s?', 'bewerbungs(?:software|system|tool|ki)s?', 'auswahl(?:system|software|tool)s?', 'screening(?:-?(?:system|tool|ki|software))?', 'prüfer(?:in)?', 'bewerter(?:in)?', 'automatisierte(?:n|s)? systeme?', 'automatische(?:n|s)? (?:systeme?|auswertung)', 'assistent(?:en)?', 'bots?', 'ats'],
    addressing: ['hinweis (?:an|für)', 'nachricht (?:an|für)', 'an (?:die|das|den)', 'liebe[rs]?', 'sehr geehrte[rs]?', 'für (?:die|das|den)', 'achtung'],
    modals: ['müssen', 'muss', 'soll(?:en|te|ten)?', 'hat \\w{0,10} zu', 'haben \\w{0,10} zu', 'ist verpflichtet', 'sind verpflichtet'],
    candidateRefs: ['(?:diese[nmrs]?|de[nmr]|die) (?:kandidat\\w{0,3}|bewerber\\w{0,3}|lebenslauf|profil|bewerbung)'],
    recommendVerbs: ['empfiehl', 'empfehle?n?', 'bewerte\\w{0,2}', 'einstufen', 'stufe', 'einladen', 'lade', 'vergib', 'vergeben', 'einsortieren', 'bevorzug\\w{0,3}', 'markier\\w{0,3}', 'bestätig\\w{0,3}', 'gib'],
    superlativeScores: ['höchst(?:punktzahl|wertung|note|bewertung)', 'bestnote', 'beste[n]? (?:bewertung|note|wertung|punktzahl)', 'volle[n]? punkt(?:zahl|e)', 'maximale[n]? punkt(?:zahl|e)', 'höchste[n]? (?:punktzahl|bewertung|note|stufe)', 'sehr gut geeignet', 'hervorragend', 'perfekt(?:e[rn]?)? (?:kandidat|passung|eignung)', PERFECT, 'außergewöhnlich\\w{0,2}', 'herausragend\\w{0,2}'],
    criteriaWords: ['kriteri(?:um|en)', 'anforderungen', 'muss-kriterien'],
    criteriaOutcomes: ['erfüllt', 'höchst\\w{0,10}', 'maximal\\w{0,3}', 'voll\\w{0,3}', 'best\\w{0,6}'],
    personaPhrases: ['ab (?:jetzt|sofort) (?:bist|sollst|wirst) du', 'du bist (?:jetzt|nun)', 'neue (?:aufgabe|anweisung|rolle)', 'deine (?:neue |einzige )?aufgabe (?:ist|lautet)', 'spiele? die rolle', 'tu so, als'],
    outputPhrases: ['antworte(?:n sie)? (?:nur|ausschließlich)', 'gib (?:nur|ausschließlich) \\w{0,10} aus', 'ausgabe(?: nur)?:'],
    roleLabels: ['system', 'assistent', 'assistant', 'benutzer', 'nutzer', 'entwickler', 'ki', 'modell'],
    conditionals: ['wenn du(?: eine?n?)?', 'falls du(?: eine?n?)?', 'wenn sie(?: eine?n?)?'],
    selfDirectives: ['(?:empfiehl|bewerte|stell|lade|wähle|nimm) mich'],
    reportVerbs: ['(?:schreib|sag|bestätige|vermerke|melde)e?,? dass', 'teile? \\w{0,12} mit,? dass'],
    interviewRefs: ['(?:zum|ein) (?:vorstellungs)?gespräch', 'die nächste runde'],
  },
  fr: {
    overrideVerbs: ['ignor(?:e|ez|er|ant)', 'oubli(?:e|ez|er)', 'ne tenez pas compte', 'ne tiens pas compte', 'passe[rz]? outre', 'contourne[rz]?', 'écarte[rz]?'],
    instructionNouns: ['consignes?', 'instructions?', 'règles', 'directives', 'critères', 'prompts?', 'message système', 'vérifications?', 'exigences'],
    evaluators: ['ia', 'i\\.a\\.', 'intelligence artificielle', 'modèles?(?: de langage)?', 'llm', 'évaluat(?:eur|rice)(?: automatique)?', 'outil(?:s)? de (?:tri|sélection|recrutement|présélection)', 'système(?:s)? (?:automatisés?|automatiques?|de (?:tri|sélection|recrutement))', 'assistant(?:e)?(?: ia)?', 'robots?', 'bots?', 'ats'],
    addressing: ['message (?:pour|à)', 'note (?:pour|à)', 'à (?:l\'|la |le )', 'pour (?:l\'|la |le )', 'cher|chère', 'attention'],
    modals: ['doit', 'doivent', 'devra(?:it)?', 'devront', 'est tenu', 'sont tenus', 'il faut'],
    candidateRefs: ['(?:ce|cet|cette|le|la) (?:candidat\\w{0,2}|profil|cv|candidature|postulant\\w{0,2})'],
    recommendVerbs: ['recommand\\w{0,4}', 'attribue[rz]?', 'donne[rz]?', 'classe[rz]?', 'note[rz]?', 'retenir', 'retiens', 'sélectionne[rz]?', 'invite[rz]?', 'considére[rz]?', 'considérez'],
    superlativeScores: ['note maximale', 'meilleure (?:note|évaluation|notation)', 'note la plus (?:haute|élevée)', 'score maximal', 'très qualifié\\w{0,2}', 'parfaitement adapté\\w{0,2}', 'meilleur candidat', PERFECT, 'prioritaire', 'exceptionnel\\w{0,2}'],
    criteriaWords: ['critères?', 'exigences'],
    criteriaOutcomes: ['rempli\\w{0,2}', 'satisfait\\w{0,2}', 'maxim\\w{0,3}', 'meilleure'],
    personaPhrases: ['à partir de maintenant', 'désormais,? (?:tu|vous)', 'tu es maintenant', 'vous êtes maintenant', 'nouvelle (?:consigne|tâche|mission)', 'ta (?:nouvelle |seule )?(?:tâche|mission) est', 'joue le rôle'],
    outputPhrases: ['réponds? uniquement', 'répondez uniquement', 'renvoie(?:z)? uniquement', 'ne réponds? que'],
    roleLabels: ['système', 'systeme', 'assistant', 'utilisateur', 'développeur', 'ia', 'modèle'],
    conditionals: ['si (?:tu es|vous êtes)(?: une?)?'],
    selfDirectives: ['(?:recommande[rz]?|embauche[rz]?|retiens|retenez|sélectionne[rz]?|choisis(?:sez)?)[- ]moi', 'me (?:recommander|retenir|sélectionner)'],
    reportVerbs: ['(?:indique[rz]?|écri[st]|écrivez|di[st]|dites|confirme[rz]?|conclu[st]|concluez|mentionne[rz]?) que'],
    interviewRefs: ['(?:un|l\') ?entretien', 'le (?:prochain|dernier) tour'],
  },
  es: {
    overrideVerbs: ['ignor(?:a|e|ad|ar|en)', 'olvid(?:a|e|ad|ar|en)', 'omit(?:e|a|ir)', 'pasa por alto', 'no tengas en cuenta', 'descart(?:a|e|ar)', 'salt(?:a|e|ar)'],
    instructionNouns: ['instrucciones', 'indicaciones', 'reglas', 'normas', 'directrices', 'criterios', 'prompts?', 'mensaje del sistema', 'requisitos', 'comprobaciones'],
    evaluators: ['ia', 'i\\.a\\.', 'inteligencia artificial', 'modelos?(?: de lenguaje)?', 'llm', 'evaluador(?:a|es)?(?: automático)?', 'sistemas? (?:automáticos?|automatizados?|de (?:selección|evaluación|cribado|reclutamiento))', 'herramientas? de (?:selección|cribado)', 'asistentes? (?:de ia|virtual)', 'bots?', 'ats'],
    addressing: ['para (?:el|la|los)', 'nota para', 'mensaje para', 'al? (?:la |el )?(?:ia|modelo|evaluador|sistema)', 'estimad[oa]', 'querid[oa]', 'atención'],
    modals: ['debe', 'deben', 'deberá', 'deberían?', 'tiene que', 'tienen que', 'ha de', 'han de'],
    candidateRefs: ['(?:este|esta|el|la|al) (?:candidat[oa]|aspirante|perfil|cv|currículum|solicitante|postulante)'],
    recommendVerbs: ['recomiend\\w{0,2}', 'recomendar\\w{0,3}', 'asign\\w{0,3}', 'd(?:a|é|ar)', 'puntú\\w{0,2}', 'puntuar', 'calific\\w{0,3}', 'clasific\\w{0,3}', 'selecciona\\w{0,2}', 'invita\\w{0,2}', 'avanz\\w{0,3}', 'aprueba'],
    superlativeScores: ['puntuación (?:máxima|más alta|perfecta)', 'máxima puntuación', 'nota (?:máxima|más alta)', 'mejor (?:puntuación|nota|evaluación|candidato)', 'calificación (?:máxima|más alta)', 'idóne[oa]', 'perfect[oa] (?:candidat[oa]|encaje)', PERFECT, 'excepcional'],
    criteriaWords: ['criterios?', 'requisitos'],
    criteriaOutcomes: ['cumpl\\w{0,4}', 'máxim\\w{0,2}', 'más alta', 'superad\\w{0,2}'],
    personaPhrases: ['a partir de ahora', 'ahora eres', 'desde ahora', 'nuevas? (?:instrucciones|tarea|función)', 'tu (?:nueva |única )?tarea es', 'actúa como', 'haz de cuenta'],
    outputPhrases: ['responde (?:solo|únicamente)', 'devuelve (?:solo|únicamente)', 'contesta (?:solo|únicamente)'],
    roleLabels: ['sistema', 'asistente', 'usuario', 'desarrollador', 'ia', 'modelo'],
    conditionals: ['si (?:eres|es|usted es)(?: una?)?'],
    selfDirectives: ['(?:recomi[eé]nd|contrát|seleccion|elíg|invít)ame', '(?:recomienda|recomendar|contratar|selecciona)\\w{0,2} contratarme', 'contratarme'],
    reportVerbs: ['(?:di|escribe|indica|confirma|concluye|menciona|pon) que'],
    interviewRefs: ['(?:una|la) entrevista', 'la (?:siguiente|próxima) fase'],
  },
  nl: {
    overrideVerbs: ['negeer', 'negeren', 'vergeet', 'vergeten', 'sla \\w{0,12} over', 'overslaan', 'passeer', 'omzeil'],
    instructionNouns: ['instructies?', 'regels', 'richtlijnen', 'aanwijzingen', 'criteria', 'prompts?', 'systeembericht', 'controles?', 'eisen'],
    evaluators: ['ai', 'a\\.i\\.', 'kunstmatige intelligentie', 'taalmodel(?:len)?', 'model(?:len)?', 'llm', 'beoordelaars?', 'screening-?(?:ai|tool|systeem|software)', 'geautomatiseerde? system?en?', 'geautomatiseerd systeem', 'automatische? (?:systemen|systeem|beoordeling)', 'ai-systemen', 'selectie(?:systeem|tool|software)', 'sollicitatiesoftware', 'assistent(?:en)?', 'bots?', 'ats'],
    addressing: ['aan (?:de|het)', 'voor (?:de|het)', 'beste', 'bericht (?:aan|voor)', 'let op', 'notitie voor', 'instructie voor'],
    modals: ['moet', 'moeten', 'dient', 'dienen', 'zal', 'zullen', 'is verplicht', 'zijn verplicht'],
    candidateRefs: ['(?:deze|de|dit) (?:kandidaat|sollicitant|profiel|cv|sollicitatie)'],
    recommendVerbs: ['beveel', 'aanbevel\\w{0,3}', 'beoordeel\\w{0,2}', 'geef', 'geven', 'zet', 'nodig', 'uitnodigen', 'selecteer', 'doorzetten', 'markeer', 'kies'],
    superlativeScores: ['hoogste (?:score|beoordeling|cijfer|waardering)', 'maximale (?:score|beoordeling|punten)', 'beste (?:score|beoordeling|kandidaat)', 'volle(?:dige)? (?:score|punten)', 'zeer geschikt', 'uitstekend geschikt', 'perfecte (?:kandidaat|match)', PERFECT, 'uitzonderlijk', 'uitmuntend'],
    criteriaWords: ['criteri(?:um|a)', 'eisen', 'vereisten'],
    criteriaOutcomes: ['voldaan', 'vervuld', 'maxim\\w{0,3}', 'hoogste', 'doorgaan'],
    personaPhrases: ['vanaf nu', 'je bent nu', 'nieuwe (?:instructie|taak|rol)', 'je (?:nieuwe |enige )?taak is', 'speel de rol', 'doe alsof'],
    outputPhrases: ['(?:geef|antwoord)(?: als antwoord)? (?:alleen|uitsluitend)', 'reageer (?:alleen|uitsluitend)'],
    roleLabels: ['systeem', 'assistent', 'gebruiker', 'ontwikkelaar', 'ai', 'model'],
    conditionals: ['als je(?: een)?', 'indien je(?: een)?', 'als u(?: een)?'],
    selfDirectives: ['(?:beveel|neem|nodig|selecteer|kies) mij', 'nodig mij uit'],
    reportVerbs: ['(?:schrijf|zeg|meld|bevestig|concludeer|vermeld) dat'],
    interviewRefs: ['(?:een|het) (?:sollicitatie)?gesprek', 'de (?:volgende|laatste) ronde'],
  },
};

/** Names of machine readers in any language: products, "algorithm", "parser", ATS. */
export const GLOBAL_EVALUATORS = ['chatgpt', 'gpt(?:-?\\d(?:\\.\\d)?o?)?', 'claude', 'gemini', 'copilot', 'llama', 'mistral', 'llms?', 'algorithm(?:us|e|o)?s?', 'algoritm(?:o|e)s?', 'parser', 'ats', 'screening-?(?:ai|bot|tool|software|system)'];
/** Greetings that open an address in any of the languages. */
export const GLOBAL_GREETINGS = ['hallo', 'hello', 'hi', 'hey', 'bonjour', 'salut', 'hola', 'buenas', 'hoi', 'moin', 'servus', 'important(?:e)? (?:for|für|pour|para|voor)(?: the| die| das| den| le| la| el| de| het)?', 'wichtig für(?: die| das| den)?'];

/** Chat-template and turn tokens of common model families, language-independent. */
export const CHAT_TEMPLATE_TOKENS = [
  '<\\|[a-z_]{2,20}\\|>',
  '\\[/?inst\\]',
  '<<\\/?sys>>',
  '</?(?:start|end)_of_turn>',
  '#{2,4} ?(?:system|instruction|response|assistant|user)\\b',
  '</?(?:system|assistant|user|instructions?)>',
  '\\bend of (?:cv|resume|document|data|input)\\b',
  'candidate_cv_data',
];

/** The decision itself named in an answer's format: "recommendation": "advance", recommendation = advance. */
export const OUTPUT_OVERRIDE = ['"?recommendation"?\\s{0,3}[:=]\\s{0,3}"?(?:advance|hire)', '(?:score|rating|recommendation|verdict|grade)[\\w-]{0,12}\\s{0,2}=\\s{0,2}"?(?:100|10|5|4|max\\w*|advance|hire)(?![\\p{L}\\p{N}])', '\\{\\s{0,3}"(?:score|scores|recommendation|verdict|criteria|role|system|instructions?|result|rating)"\\s{0,3}:'];
