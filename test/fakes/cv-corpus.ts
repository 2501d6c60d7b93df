// A generated corpus of CVs (plain text as the parser would extract it) for the blind-
// screening tests: names from many cultures and scripts, and varied layouts of the contact
// block (name first, "Name:" label, CV heading first, all caps, one-line contact bar,
// European "personal data" block with birth date, gender and marital status).
export interface CorpusPerson {
  name: string;
  /** The name as written on the application (may differ from the CV header). */
  applicationName: string;
  email: string;
  phone: string;
  address: string[];
  location: string;
  link: string;
  dob: string;
}

export interface CorpusCv {
  person: CorpusPerson;
  text: string;
  layout: string;
}

const PEOPLE: [string, string?][] = [
  ['Ada Lovelace'],
  ['Wang Wei'],
  ['李娜'],
  ['Nguyễn Thị Minh Khai'],
  ['Oluwaseun Adebayo-Okafor'],
  ['Chukwuemeka Obi'],
  ['Priya Raghunathan'],
  ['Arjun Venkataraman'],
  ['Mohammed Al-Farsi'],
  ['Fatima Zahra Benali'],
  ['Siobhán Ní Bhriain'],
  ["Seán O'Connell"],
  ['José María García López'],
  ['João Pedro Gonçalves'],
  ['Björn Þórðarson'],
  ['Zofia Wiśniewska'],
  ['Dmitri Ivanovich Petrov'],
  ['Олена Шевченко'],
  ['Yuki Tanaka'],
  ['田中 花子'],
  ['Kim Min-jun'],
  ['Ayşe Yılmaz'],
  ['Kwame Mensah'],
  ['Amara Nwosu'],
  ['Thandiwe Dlamini'],
  ['Mehmet Öztürk'],
  ['Lars-Erik Johansson'],
  ['Marie-Claire Dubois'],
  ['Rahul Sharma', 'Rahul K. Sharma'],
  ['Nur Aisyah binti Abdullah'],
  ['Tupac Quispe Mamani'],
  ['Kalani Akana'],
  ['Ngozi Okonjo'],
  ['Hiroshi Yamamoto'],
  ['Elżbieta Kowalczyk'],
  ['Robert Smith', 'Bob Smith'],
];

const PHONES = ['+44 20 7946 0958', '+49 30 1234567', '(415) 555-0142', '+91 98765 43210', '+234 803 123 4567', '030 98765432', '+33 1 42 68 53 00', '+81 3-1234-5678', '+1-202-555-0175', '0049 171 2345678', '07700 900123', '+86 138 0013 8000'];
const ADDRESSES: [string[], string][] = [
  [['221B Baker Street', 'London NW1 6XE'], 'London'],
  [['Torstraße 12', '10119 Berlin'], 'Berlin'],
  [['45 Rue de Rivoli', '75001 Paris'], 'Paris'],
  [['1600 Amphitheatre Parkway', 'Mountain View, CA 94043'], 'Mountain View'],
  [['12 MG Road', '560001 Bengaluru'], 'Bengaluru'],
  [['Calle Mayor 7', '28013 Madrid'], 'Madrid'],
  [['Prinsengracht 263', '1016 Amsterdam'], 'Amsterdam'],
  [['8 Adeola Odeku Street', 'Victoria Island, Lagos'], 'Lagos'],
  [['Via Roma 22', '00184 Roma'], 'Roma'],
  [['Address: 3-2-1 Shibuya, Shibuya-ku, Tokyo 150-0002'], 'Tokyo'],
];

function slug(name: string, i: number): string {
  const ascii = name.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase().replace(/[^a-z]+/g, '.').replace(/^\.|\.$/g, '');
  return ascii || `candidate${i}`;
}

const BODY = `Experience
2019 – 2024 Senior Backend Engineer, Northwind Logistics
Built TypeScript services on Node.js and Postgres handling 2 million shipments a month.
Led the migration from a monolith to event-driven services with Kafka.
2015 - 2019 Software Engineer, Contoso Bank
Designed Postgres schemas for payments; wrote SQL reports.

Education
2011 – 2015 BSc Computer Science

Skills
TypeScript, Node.js, Postgres, Redis, Docker, AWS`;

export function generateCorpus(): CorpusCv[] {
  return PEOPLE.map(([name, appName], i) => {
    const phone = PHONES[i % PHONES.length] as string;
    const [address, location] = ADDRESSES[i % ADDRESSES.length] as [string[], string];
    const email = `${slug(name, i)}${i}@mail.example`;
    const link = `https://www.linkedin.com/in/${slug(name, i).replace(/\./g, '-')}-${i}`;
    const dob = `${String((i % 27) + 1).padStart(2, '0')}.0${(i % 9) + 1}.19${80 + (i % 19)}`;
    const person: CorpusPerson = { name, applicationName: appName ?? name, email, phone, address, location, link, dob };
    const layout = ['name-first', 'label', 'heading-first', 'caps', 'contact-bar', 'european'][i % 6] as string;
    let header: string;
    switch (layout) {
      case 'name-first':
        header = `${name}\nBackend Engineer\n${address.join('\n')}\nPhone: ${phone}\nEmail: ${email}\n${link}`;
        break;
      case 'label':
        header = `Curriculum Vitae\nName: ${name}\nAddress: ${address.join(', ')}\nTel: ${phone}\nE-mail: ${email}\nLinkedIn: ${link}`;
        break;
      case 'heading-first':
        header = `RESUME\n${name}\n${email} | ${phone} | ${link}\n${address.join(', ')}`;
        break;
      case 'caps':
        header = `${name.toUpperCase()}\n${address.join(' · ')}\nMobile ${phone}\n${email}\nPhoto: attached (portrait.jpg)`;
        break;
      case 'contact-bar':
        header = `${name} — Senior Engineer\n${email} • ${phone} • ${location} • github.com/${slug(name, i).replace(/\./g, '')}${i}`;
        break;
      default:
        header = `Lebenslauf\n${name}\nPersonal data\nDate of birth: ${dob}\nGender: ${i % 2 ? 'female' : 'male'}\nMarital status: married\nAddress: ${address.join(', ')}\nTelefon: ${phone}\n${email}`;
    }
    const closing = `\n\nReferences available on request. ${name.split(/\s+/)[0]} is happy to share code samples.`;
    return { person, layout, text: `${header}\n\n${BODY}${closing}` };
  });
}
