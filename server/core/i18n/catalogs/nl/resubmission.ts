import type { Shape } from '../../catalog-shape.js';
import type { resubmission as source } from '../en/resubmission.js';

export const resubmission: Shape<typeof source> = {
  mailSubject: 'Bevestig het nieuwe cv voor uw sollicitatie bij {org}',
  mailIntro: 'Iemand heeft met dit e-mailadres een nieuw cv gestuurd voor uw sollicitatie ‘{job}’ bij {org}.',
  mailConfirm: 'Was u dat, open dan deze link en bevestig om het cv van uw sollicitatie te vervangen:',
  mailIgnore: 'Was u dat niet, negeer dan dit bericht: er verandert niets aan uw sollicitatie, en het bestand wordt op {date} verwijderd.',
  confirmTitle: 'Bevestig uw nieuwe cv',
  confirmIntro: 'Er is met uw e-mailadres een nieuw cv gestuurd voor uw sollicitatie voor {job} bij {org}. Hebt u het gestuurd, bevestig dan hieronder: het vervangt het cv dat {org} beoordeelt, en wordt opnieuw beoordeeld zoals elk nieuw cv.',
  confirmIgnore: 'Hebt u het niet gestuurd, sluit dan deze pagina: er verandert niets aan uw sollicitatie, en het bestand wordt op {date} verwijderd.',
  confirmButton: 'Ja, ik heb dit cv gestuurd: gebruik het voor mijn sollicitatie',
  confirmedTitle: 'Cv bevestigd',
  confirmedHeading: 'Bedankt',
  confirmedBody: 'Uw nieuwe cv hoort nu bij uw sollicitatie voor {job} bij {org}. Een mens zal het beoordelen.',
};
