import type { Shape } from '../../catalog-shape.js';
import type { demographics as source } from '../en/demographics.js';

export const demographics: Shape<typeof source> = {
  legend: 'Preguntas demográficas voluntarias (opcionales, guardadas por separado)',
  intro: 'Puede dejar cualquiera sin responder o elegir «Prefiero no responder». Las personas que revisan las candidaturas nunca ven sus respuestas.',
  notAnswered: 'Sin respuesta',
  gender: 'Sexo / género',
  gender_female: 'Mujer',
  gender_male: 'Hombre',
  gender_non_binary_other: 'No binario u otro género',
  ethnicity: 'Origen étnico',
  ethnicity_hispanic_latino: 'Hispano o latino',
  ethnicity_white: 'Blanco',
  ethnicity_black_african_american: 'Negro o afroamericano',
  ethnicity_native_hawaiian_pacific_islander: 'Nativo de Hawái o de las islas del Pacífico',
  ethnicity_asian: 'Asiático',
  ethnicity_native_american_alaska_native: 'Nativo americano o de Alaska',
  ethnicity_two_or_more: 'Dos o más orígenes',
  decline: 'Prefiero no responder',
};
