import type { Shape } from '../../catalog-shape.js';
import type { notice as source } from '../en/notice.js';

export const notice: Shape<typeof source> = {
  applyProcesses: '{org} trata la información que envía (sus datos y su CV) para considerarle para este puesto. hirebox la aloja por cuenta de {org}.',
  applyAi: 'Un sistema de IA ayuda en la preselección: compara su CV con los criterios del puesto y muestra las pruebas en las que se basa. Nunca decide; una persona revisa cada candidatura y toma cada decisión.',
  applyHumanChoice: 'Más abajo puede elegir que una persona revise su candidatura sin ninguna preselección por IA: su CV no se enviará nunca a un modelo de IA, y la elección no influye en cómo se valora su candidatura.',
  applyRetention: 'Conservamos los datos de la candidatura durante {days, plural, one {# día} other {# días}} tras una decisión final y después los eliminamos. Puede pedir antes una copia, una rectificación o su eliminación.',
  applyContact: 'Contacto de privacidad de {org}: {contact}.',
  applyDemographics: 'Las preguntas demográficas son voluntarias. Las respuestas se guardan cifradas y por separado, nunca se muestran a quienes revisan su candidatura ni se envían a un modelo de IA; solo se usan de forma agregada para comprobar la equidad del proceso.',
  contactNone: 'la organización que publicó esta oferta',
  contactEmail: 'escriba a {email}',
  contactUrl: 'visite {url}',
  contactBoth: 'escriba a {email} o visite {url}',
  interviewRetention: 'la transcripción y la grabación se conservan como máximo {days, plural, one {# día} other {# días}} tras la decisión final y después se eliminan. Puede pedir a {org} una copia o su eliminación en cualquier momento.',
  interviewContact: 'preguntas y solicitudes sobre privacidad: {contact}.',
  mailRetention: '{org} conserva los datos de su candidatura durante {days, plural, one {# día} other {# días}} tras una decisión final y después los elimina.',
  mailContact: 'Preguntas sobre privacidad, una copia de sus datos, una revisión sin IA o la eliminación: {contact}. (Las respuestas a esta dirección no se leen.)',
};
