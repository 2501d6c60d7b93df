// Serves the console built by Vite (server/web/dist) from the same origin: hashed assets
// under /app/assets/ with a year-long immutable cache, index.html (never cached) for every
// console route and for the landing pages of mailed links (/invite, /reset, /setup, /email/confirm,
// /email/revert) and of the SSO account link (/sso/link).
// Files are read once at start into memory (a few small files), gzip-compressed once, and
// looked up by exact name: no path from a request ever reaches the file system.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { ServiceUnavailableError, NotFoundError } from '../../core/errors.js';
import { packageRoot } from '../../core/paths.js';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';

const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
  '.html': 'text/html; charset=utf-8',
};
const IMMUTABLE = 'public, max-age=31536000, immutable';
const ASSET_NAME = /^[A-Za-z0-9_.-]{1,200}$/;

interface StaticFile {
  body: Buffer;
  gzip: Buffer | null;
  type: string;
}

export interface WebRouteOptions {
  /** Directory of the Vite build; defaults to server/web/dist under the package root. */
  distDir?: string;
}

function load(file: string): StaticFile {
  const body = readFileSync(file);
  const type = TYPES[path.extname(file)] ?? 'application/octet-stream';
  const compressible = /javascript|css|html|svg/.test(type) && body.length > 512;
  return { body, type, gzip: compressible ? gzipSync(body, { level: 9 }) : null };
}

/** Reads the build output; null when the console has not been built. */
export function loadConsoleBuild(distDir: string): { index: StaticFile; assets: Map<string, StaticFile> } | null {
  const indexFile = path.join(distDir, 'index.html');
  if (!existsSync(indexFile)) return null;
  const assets = new Map<string, StaticFile>();
  const assetDir = path.join(distDir, 'assets');
  if (existsSync(assetDir)) {
    for (const name of readdirSync(assetDir)) if (ASSET_NAME.test(name)) assets.set(name, load(path.join(assetDir, name)));
  }
  return { index: load(indexFile), assets };
}

function send(request: FastifyRequest, reply: FastifyReply, file: StaticFile, cacheControl: string): FastifyReply {
  reply.header('cache-control', cacheControl).header('vary', 'accept-encoding').type(file.type);
  const accepts = String(request.headers['accept-encoding'] ?? '');
  if (file.gzip && /\bgzip\b/.test(accepts)) return reply.header('content-encoding', 'gzip').send(file.gzip);
  return reply.send(file.body);
}

export async function webRoutes(fastify: FastifyInstance, opts: WebRouteOptions = {}): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const build = loadConsoleBuild(opts.distDir ?? path.join(packageRoot(), 'server', 'web', 'dist'));
  const page = async (request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> => {
    if (!build) throw new ServiceUnavailableError({ detail: 'The console has not been built; run `npm run build`.' });
    return send(request, reply, build.index, 'no-store');
  };
  const hidden = { hide: true };
  const Token = Type.Object({ token: Type.String({ minLength: 1, maxLength: 200 }) });

  app.get('/', { schema: hidden, config: { access: { public: 'the console start page' } } }, async (_request, reply) => reply.redirect('/app/', 302));
  app.get('/app', { schema: hidden, config: { access: { public: 'the console (sign-in happens inside)' } } }, async (_request, reply) => reply.redirect('/app/', 302));
  app.get('/app/', { schema: hidden, config: { access: { public: 'the console (sign-in happens inside)' } } }, page);
  app.get('/app/*', { schema: hidden, config: { access: { public: 'console routes; every API call they make is checked on its own' } } }, page);
  for (const link of ['invite', 'reset', 'setup', 'email/confirm', 'email/revert']) {
    app.get(`/${link}/:token`, { schema: { ...hidden, params: Token }, config: { access: { public: `landing page of mailed ${link} links; the token is checked by the API` } } }, page);
  }
  // After SSO, when an account already has the address: its password + TOTP link it (token in the fragment).
  app.get('/sso/link', { schema: hidden, config: { access: { public: 'asks for the existing account\'s proof after SSO; the link token is checked by the API' } } }, page);
  app.get(
    '/app/assets/:name',
    { schema: { ...hidden, params: Type.Object({ name: Type.String({ maxLength: 200 }) }) }, config: { access: { public: 'hashed console assets' } } },
    async (request, reply) => {
      const file = build?.assets.get(request.params.name);
      if (!file) throw new NotFoundError({ detail: 'No such console asset.' });
      return send(request, reply, file, IMMUTABLE);
    },
  );
}
