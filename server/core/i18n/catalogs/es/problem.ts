import type { Shape } from '../../catalog-shape.js';
import type { problem as source } from '../en/problem.js';

export const problem: Shape<typeof source> = {
  badRequest: 'No se pudo procesar la solicitud.',
  validation: 'Falta información o no tiene el formato esperado.',
  unauthorized: 'Este enlace o esta sesión ya no es válido. Solicite un enlace nuevo.',
  forbidden: 'Esta acción no está permitida aquí.',
  notFound: 'Esta página o este enlace no existe o ha caducado.',
  conflict: 'Esto ya se hizo, o algo cambió mientras tanto. Vuelva a cargar la página e inténtelo de nuevo.',
  gone: 'Este enlace ha caducado.',
  tooLarge: 'Lo que ha enviado supera el tamaño permitido.',
  unsupportedMediaType: 'Este tipo de contenido no se acepta aquí.',
  unprocessable: 'La información enviada no se puede aceptar tal como está.',
  tooManyRequests: 'Demasiados intentos. Espere {minutes, plural, one {# minuto} other {# minutos}} e inténtelo de nuevo.',
  unavailable: 'El servicio no está disponible por un momento. Inténtelo de nuevo en unos minutos.',
  internal: 'Algo salió mal por nuestra parte. Inténtelo de nuevo más tarde.',
};
