// How a candidate request picks its language, and that errors on candidate paths answer in
// it (issue 22 item 1): a small app with the real cookie, locale and problem plugins.
import t from 'tap';
import Fastify from 'fastify';
import cookie from '@fastify/cookie';
import { fromAcceptLanguage, pickLocale } from '../../server/core/i18n/locales.js';
import { candidateTranslator, localePlugin } from '../../server/plugins/locale.js';
import { problemPlugin } from '../../server/plugins/problem.js';
import { NotFoundError, TooManyRequestsError, UnprocessableError } from '../../server/core/errors.js';
import { languageSwitcher } from '../../server/core/i18n/switcher.js';
import { translator } from '../../server/core/i18n/translator.js';

t.test('Accept-Language: weights, ties in order, q=0 excluded, regions folded', async (t) => {
  t.equal(fromAcceptLanguage('de-CH, fr;q=0.9'), 'de');
  t.equal(fromAcceptLanguage('ja, fr;q=0.5, nl;q=0.8'), 'nl');
  t.equal(fromAcceptLanguage('de;q=0, es'), 'es');
  t.equal(fromAcceptLanguage('ja, zh'), null);
  t.equal(fromAcceptLanguage(undefined), null);
  t.equal(fromAcceptLanguage('x'.repeat(10_000)), null, 'a huge header is cut, not parsed whole');
});

t.test('the explicit choice wins, then the cookie, then the content, then the browser', async (t) => {
  t.equal(pickLocale({ query: 'fr', cookie: 'nl', content: 'de', acceptLanguage: 'es' }), 'fr');
  t.equal(pickLocale({ query: 'xx', cookie: 'nl', content: 'de', acceptLanguage: 'es' }), 'nl');
  t.equal(pickLocale({ cookie: ['de'], content: 'de-AT', acceptLanguage: 'es' }), 'de');
  t.equal(pickLocale({ content: null, acceptLanguage: 'es-MX' }), 'es');
  t.equal(pickLocale({}), 'en');
});

async function app() {
  const a = Fastify();
  await a.register(problemPlugin, { exposeStack: false });
  await a.register(cookie);
  await a.register(localePlugin);
  a.get('/jobs/:slug', async (request, reply) => {
    const tr = candidateTranslator(request, reply, { content: 'de', secureCookie: true });
    if ((request.params as { slug: string }).slug === 'missing') throw new NotFoundError({ detail: 'No such job.' });
    if ((request.params as { slug: string }).slug === 'limited') throw new TooManyRequestsError(150);
    if ((request.params as { slug: string }).slug === 'worded') throw new UnprocessableError({ detail: 'English detail', i18n: { key: 'problem.gone' } });
    return { locale: tr.locale, switcher: languageSwitcher(tr, request.url) };
  });
  a.get('/api/v1/jobs/x', async () => {
    throw new NotFoundError({ detail: 'No such job.' });
  });
  return a;
}

t.test('candidate paths answer in the candidate language; the console API stays English', async (t) => {
  const a = await app();
  t.teardown(() => a.close());
  let res = await a.inject({ url: '/jobs/ok' });
  t.equal(res.json().locale, 'de', "the job's language");
  t.equal(res.headers['content-language'], 'de');
  t.notOk(res.headers['set-cookie'], 'no cookie without an explicit choice');

  res = await a.inject({ url: '/jobs/ok?lang=fr' });
  t.equal(res.json().locale, 'fr');
  t.match(String(res.headers['set-cookie']), /hirebox-lang=fr; Max-Age=31536000; Path=\/; HttpOnly; Secure; SameSite=Lax/);
  t.match(res.json().switcher, /<span aria-current="true" lang="fr">Français<\/span>/);
  t.match(res.json().switcher, /href="\/jobs\/ok\?lang=de"/);

  res = await a.inject({ url: '/jobs/ok', cookies: { 'hirebox-lang': 'nl' } });
  t.equal(res.json().locale, 'nl', 'the remembered choice');

  res = await a.inject({ url: '/jobs/missing' });
  t.equal(res.statusCode, 404);
  t.equal(res.headers['content-type'], 'application/problem+json; charset=utf-8');
  t.equal(res.json().detail, 'Diese Seite oder dieser Link existiert nicht oder ist abgelaufen.');
  t.equal(res.headers['content-language'], 'de');

  res = await a.inject({ url: '/jobs/missing?lang=en' });
  t.equal(res.json().detail, 'No such job.', 'English keeps the specific detail');

  res = await a.inject({ url: '/jobs/limited?lang=es' });
  t.equal(res.statusCode, 429);
  t.equal(res.json().detail, 'Demasiados intentos. Espere 3 minutos e inténtelo de nuevo.');

  res = await a.inject({ url: '/jobs/worded?lang=nl' });
  t.equal(res.json().detail, translator('nl').t('problem.gone'), 'the error’s own candidate wording');

  res = await a.inject({ url: '/jobs/nothing-here/at/all', headers: { 'accept-language': 'fr' } });
  t.equal(res.statusCode, 404);
  t.equal(res.json().detail, 'Cette page ou ce lien n’existe pas, ou a expiré.', 'before any route: the browser language');

  res = await a.inject({ url: '/api/v1/jobs/x', headers: { 'accept-language': 'de' } });
  t.equal(res.json().detail, 'No such job.', 'recruiter API: English');
  t.notOk(res.headers['content-language']);
});
