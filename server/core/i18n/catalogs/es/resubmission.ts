import type { Shape } from '../../catalog-shape.js';
import type { resubmission as source } from '../en/resubmission.js';

export const resubmission: Shape<typeof source> = {
  mailSubject: 'Confirme el nuevo CV de su candidatura en {org}',
  mailIntro: 'Alguien ha enviado un nuevo CV para su candidatura «{job}» en {org} con esta dirección de correo electrónico.',
  mailConfirm: 'Si ha sido usted, abra este enlace y confirme para sustituir el CV de su candidatura:',
  mailIgnore: 'Si no ha sido usted, ignore este mensaje: su candidatura no cambia y el archivo se borrará el {date}.',
  confirmTitle: 'Confirme su nuevo CV',
  confirmIntro: 'Se ha enviado un nuevo CV para su candidatura para {job} en {org} con su dirección de correo electrónico. Si lo ha enviado usted, confírmelo a continuación: sustituirá el CV que revisa {org} y se evaluará de nuevo como cualquier CV nuevo.',
  confirmIgnore: 'Si no lo ha enviado usted, cierre esta página: su candidatura no cambia y el archivo se borrará el {date}.',
  confirmButton: 'Sí, he enviado este CV: úsenlo para mi candidatura',
  confirmedTitle: 'CV confirmado',
  confirmedHeading: 'Gracias',
  confirmedBody: 'Su nuevo CV ya forma parte de su candidatura para {job} en {org}. Una persona lo revisará.',
};
