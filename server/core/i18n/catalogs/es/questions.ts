import type { Shape } from '../../catalog-shape.js';
import type { questions as source } from '../en/questions.js';

export const questions: Shape<typeof source> = {
  legend: 'Preguntas de la empresa',
  optional: '{label} (opcional)',
  yes: 'Sí',
  no: 'No',
  knockoutNote: 'Algunas respuestas hacen que una persona revise primero su candidatura. Ninguna respuesta rechaza una candidatura automáticamente: todas las decisiones las toma una persona.',
};
