import type { Shape } from '../../catalog-shape.js';
import type { explanation as source } from '../en/explanation.js';

export const explanation: Shape<typeof source> = {
  title: 'Comment votre candidature au poste « {job} » a été évaluée',
  noAi: 'Aucun système d’IA n’a été utilisé pour évaluer cette candidature.',
  advisory: 'Un système d’IA a proposé les notes et la recommandation ci-dessous à partir de votre CV. Ce ne sont que des suggestions : une personne les a examinées et a pris la décision. Vous pouvez contester le résultat et demander un examen par une personne.',
  simulated: 'Remarque : cette évaluation provient d’une IA SIMULÉE (un substitut de démonstration qui recherche des mots-clés), et non d’un modèle de langage.',
  assessedHeading: 'Ce qui a été évalué (avec l’aide de l’IA, le {date})',
  assessedIntro: 'Votre CV a été comparé à {count, plural, one {# critère} other {# critères}} du poste. Pour chacun, l’IA a attribué une note de 0 (aucun élément) à 4 (clairement rempli) et cité les passages de votre CV sur lesquels elle s’est appuyée.',
  required: '{name} (obligatoire)',
  score: 'Note : {score} sur {max} ({verdict, select, met {rempli} partly {partiellement rempli} not_met {non rempli} other {indéterminé}})',
  why: 'Pourquoi : {reasoning}',
  quote: 'Extrait de votre CV : « {quote} »',
  quoteNotFound: 'Extrait de votre CV : « {quote} » (cette citation n’a pas été trouvée dans votre CV ; elle a donc eu moins de poids)',
  recommendationHeading: 'La recommandation de l’IA (simple suggestion)',
  recommendation: 'L’IA a suggéré que la candidature {rec, select, advance {soit retenue pour la suite} not_advance {ne soit pas retenue} other {soit examinée par une personne}}. Cette suggestion n’a rien décidé à elle seule.',
  decisionHeading: 'La décision',
  decision: 'Décision : {outcome, select, advance {poursuite du processus} reject {refus} hire {embauche} hold {mise en attente} other {{outcome}}}, prise par {who} (une personne) le {date}.',
  someone: 'un membre de l’équipe de recrutement',
  reason: 'Motif indiqué : {reason}',
  followed: 'La décision a suivi la recommandation de l’IA.',
  notFollowed: 'La décision n’a pas suivi la recommandation de l’IA.',
  noDecision: 'Aucune décision n’a encore été prise.',
  disagreeHeading: 'Si vous n’êtes pas d’accord',
  disagree: 'Vous pouvez contester ce résultat. Une personne qui n’est pas liée par la suggestion de l’IA le réexaminera et vous répondra.',
};
