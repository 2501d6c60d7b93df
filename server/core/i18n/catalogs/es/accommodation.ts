import type { Shape } from '../../catalog-shape.js';
import type { accommodation as source } from '../en/accommodation.js';

export const accommodation: Shape<typeof source> = {
  heading: '¿Necesita una adaptación?',
  legend: '¿Qué le ayudaría?',
  moreTime: 'Más tiempo para la entrevista',
  typedMode: 'Escribir mis respuestas en lugar de hablar',
  humanInterviewer: 'Una entrevista con una persona',
  noteLabel: 'Lo que el equipo de selección debería saber (opcional; no necesita dar ningún motivo)',
  send: 'Enviar mi solicitud',
  receivedTitle: 'Solicitud recibida',
  granted: 'Tiene disponible el modo escrito: vuelva a la invitación y elija escribir sus respuestas.',
  due: 'Gracias. El equipo de selección responderá antes del {due, date, full} a las {due, time, short}.',
  back: 'Volver a la invitación',
  errorOver: 'Esta entrevista ha terminado; póngase en contacto directamente con el equipo de selección.',
  errorAlreadyAsked: 'Ya lo ha pedido; el equipo de selección le responderá.',
};
