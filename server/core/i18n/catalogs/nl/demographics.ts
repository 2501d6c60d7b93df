import type { Shape } from '../../catalog-shape.js';
import type { demographics as source } from '../en/demographics.js';

export const demographics: Shape<typeof source> = {
  legend: 'Vrijwillige demografische vragen (optioneel, apart opgeslagen)',
  intro: 'U kunt elke vraag onbeantwoord laten of kiezen voor ‘Ik geef liever geen antwoord’. Wie sollicitaties beoordeelt, ziet uw antwoorden nooit.',
  notAnswered: 'Geen antwoord',
  gender: 'Geslacht / gender',
  gender_female: 'Vrouw',
  gender_male: 'Man',
  gender_non_binary_other: 'Non-binair of een ander gender',
  ethnicity: 'Etnische afkomst',
  ethnicity_hispanic_latino: 'Hispanic of Latijns-Amerikaans',
  ethnicity_white: 'Wit',
  ethnicity_black_african_american: 'Zwart of Afro-Amerikaans',
  ethnicity_native_hawaiian_pacific_islander: 'Inheems Hawaïaans of van de eilanden in de Stille Oceaan',
  ethnicity_asian: 'Aziatisch',
  ethnicity_native_american_alaska_native: 'Inheems Amerikaans of inheems Alaskaans',
  ethnicity_two_or_more: 'Twee of meer afkomsten',
  decline: 'Ik geef liever geen antwoord',
};
