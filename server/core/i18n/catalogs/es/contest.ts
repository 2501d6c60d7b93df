import type { Shape } from '../../catalog-shape.js';
import type { contest as source } from '../en/contest.js';

export const contest: Shape<typeof source> = {
  title: 'Solicitar una revisión por una persona',
  used: 'Ya hemos recibido su solicitud de revisión de su candidatura para {job}. {org} le responderá.',
  expired: 'Este enlace ha caducado. Póngase en contacto directamente con {org} para solicitar una revisión de su candidatura para {job}.',
  heading: 'Solicitar una revisión por una persona de su candidatura para {job} en {org}',
  intro: 'Un sistema de IA ayudó a evaluar su candidatura: propuso puntuaciones según los criterios del puesto, con citas de su CV. Una persona de {org} tomó la decisión. Si cree que el resultado es erróneo, explíquenos por qué a continuación. Una persona revisará el resultado y le responderá.',
  reasonLabel: '¿Qué cree que es erróneo y por qué? (como máximo {max} caracteres)',
  submit: 'Enviar mi solicitud de revisión por una persona',
  once: 'Puede usar este enlace una sola vez. Lo que escriba se guarda cifrado y solo se usa para esta revisión.',
  receivedTitle: 'Solicitud recibida',
  receivedBody: 'Gracias. Una persona de {org} revisará el resultado de su candidatura y le responderá.',
};
