import type { Shape } from '../../catalog-shape.js';
import type { accommodation as source } from '../en/accommodation.js';

export const accommodation: Shape<typeof source> = {
  heading: 'Brauchen Sie eine Anpassung?',
  legend: 'Was würde Ihnen helfen?',
  moreTime: 'Mehr Zeit für das Interview',
  typedMode: 'Antworten schreiben statt sprechen',
  humanInterviewer: 'Ein Interview mit einer Person',
  noteLabel: 'Was das Recruiting-Team wissen sollte (freiwillig; Sie müssen keinen Grund nennen)',
  send: 'Anfrage senden',
  receivedTitle: 'Anfrage eingegangen',
  granted: 'Die schriftliche Form steht Ihnen offen: Kehren Sie zur Einladung zurück und wählen Sie, Ihre Antworten zu schreiben.',
  due: 'Vielen Dank. Das Recruiting-Team antwortet bis {due, date, full}, {due, time, short}.',
  back: 'Zurück zur Einladung',
  errorOver: 'Dieses Interview ist vorbei; wenden Sie sich bitte direkt an das Recruiting-Team.',
  errorAlreadyAsked: 'Darum haben Sie bereits gebeten; das Recruiting-Team antwortet Ihnen.',
};
