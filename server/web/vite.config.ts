// Vite build of the console (Preact + TypeScript) into server/web/dist, served by
// server/modules/web. Hashed file names under /app/assets/ are cached for a year; no
// inline script or style is emitted, so the strict CSP (script-src/style-src 'self') holds.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root,
  base: '/app/',
  logLevel: 'warn',
  publicDir: false,
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    assetsDir: 'assets',
    // The preload polyfill would be inlined; every supported browser has modulepreload.
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
    cssCodeSplit: false,
    sourcemap: false,
    target: 'es2022',
    reportCompressedSize: false,
    // A second entry: the candidate's browser-interview module for /i/:token (Vapi web SDK),
    // built as its own hashed chunk so the console never loads it.
    rollupOptions: {
      input: { main: fileURLToPath(new URL('./index.html', import.meta.url)), 'invite-call': fileURLToPath(new URL('./src/invite-call.ts', import.meta.url)) },
    },
  },
});
