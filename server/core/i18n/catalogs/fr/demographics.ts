import type { Shape } from '../../catalog-shape.js';
import type { demographics as source } from '../en/demographics.js';

export const demographics: Shape<typeof source> = {
  legend: 'Questions démographiques facultatives (enregistrées séparément)',
  intro: 'Vous pouvez laisser ces questions sans réponse ou choisir « Je préfère ne pas répondre ». Les personnes qui examinent les candidatures ne voient jamais vos réponses.',
  notAnswered: 'Pas de réponse',
  gender: 'Sexe / genre',
  gender_female: 'Femme',
  gender_male: 'Homme',
  gender_non_binary_other: 'Non binaire ou autre genre',
  ethnicity: 'Origine ethnique',
  ethnicity_hispanic_latino: 'Hispanique ou latino-américain',
  ethnicity_white: 'Blanc',
  ethnicity_black_african_american: 'Noir ou afro-américain',
  ethnicity_native_hawaiian_pacific_islander: 'Autochtone d’Hawaï ou des îles du Pacifique',
  ethnicity_asian: 'Asiatique',
  ethnicity_native_american_alaska_native: 'Autochtone d’Amérique ou d’Alaska',
  ethnicity_two_or_more: 'Deux origines ou plus',
  decline: 'Je préfère ne pas répondre',
};
