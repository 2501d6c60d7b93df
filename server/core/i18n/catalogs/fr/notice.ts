import type { Shape } from '../../catalog-shape.js';
import type { notice as source } from '../en/notice.js';

export const notice: Shape<typeof source> = {
  applyProcesses: '{org} traite les informations que vous envoyez (vos coordonnées et votre CV) pour examiner votre candidature à ce poste. hirebox les héberge pour le compte de {org}.',
  applyAi: 'Un système d’IA aide à la présélection : il compare votre CV aux critères du poste et montre les éléments sur lesquels il s’appuie. Il ne décide jamais ; une personne examine chaque candidature et prend chaque décision.',
  applyHumanChoice: 'Vous pouvez choisir ci-dessous qu’une personne examine votre candidature sans aucune présélection par IA : votre CV n’est alors jamais envoyé à un modèle d’IA, et ce choix n’a aucun effet sur l’évaluation de votre candidature.',
  applyRetention: 'Nous conservons les données de candidature {days, plural, one {# jour} other {# jours}} après une décision finale, puis nous les supprimons. Vous pouvez demander plus tôt une copie, une rectification ou leur suppression.',
  applyContact: 'Contact pour la protection des données chez {org} : {contact}.',
  applyDemographics: 'Les questions démographiques sont facultatives. Les réponses sont chiffrées et conservées à part ; elles ne sont jamais montrées aux personnes qui examinent votre candidature ni envoyées à un modèle d’IA, et ne servent que de façon agrégée à vérifier l’équité du processus.',
  contactNone: 'l’organisation qui a publié cette offre',
  contactEmail: 'écrivez à {email}',
  contactUrl: 'consultez {url}',
  contactBoth: 'écrivez à {email} ou consultez {url}',
  interviewRetention: 'la transcription et l’enregistrement sont conservés au plus {days, plural, one {# jour} other {# jours}} après la décision finale, puis supprimés. Vous pouvez demander à tout moment une copie ou leur suppression à {org}.',
  interviewContact: 'questions et demandes sur vos données : {contact}.',
  mailRetention: '{org} conserve vos données de candidature {days, plural, one {# jour} other {# jours}} après une décision finale, puis les supprime.',
  mailContact: 'Questions sur vos données, copie de vos données, examen sans IA ou suppression : {contact}. (Les réponses à cette adresse ne sont pas lues.)',
};
