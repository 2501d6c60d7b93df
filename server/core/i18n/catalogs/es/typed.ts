import type { Shape } from '../../catalog-shape.js';
import type { typed as source } from '../en/typed.js';

export const typed: Shape<typeof source> = {
  heading: 'Entrevista escrita para {job}',
  finish: 'Terminar la entrevista y enviar mis respuestas',
  allAnswered: 'Ha respondido {total, plural, one {a la # pregunta} other {a las # preguntas}}.',
  progress: 'Pregunta {number} de {total}. Tómese el tiempo que necesite; solo se evalúa el contenido de sus respuestas.',
  send: 'Enviar esta respuesta',
  errorNotTyped: 'Esta invitación no es una entrevista escrita; elija primero el modo escrito en la página de la invitación.',
  errorFinished: 'Esta entrevista escrita ya ha terminado.',
  errorEmpty: 'Escriba una respuesta (o termine la entrevista).',
  errorAlreadyAnswered: 'Esta pregunta ya está respondida; recargue la página para ver la siguiente.',
};
