/**
 * One renderer build for both doors: Electron loads dist/renderer/index.html from disk and the
 * presence server serves the same folder at `/` for the browser. The Bridge is picked at run time
 * (`window.herenow` present → desktop), so a single build serves both; `base: './'` keeps asset
 * URLs relative, which file:// needs.
 */
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig, type Plugin } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));
const outDir = fileURLToPath(new URL('../dist/renderer', import.meta.url));

// Only the production page gets the CSP: the dev server's React refresh preamble is an inline
// script that a strict policy would block. Everything is local, so 'self' is all we need
// ('self' also covers the browser build's same-origin socket.io connection).
const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
].join('; ');

const contentSecurityPolicy: Plugin = {
  name: 'herenow-csp',
  apply: 'build',
  transformIndexHtml: () => [
    { tag: 'meta', attrs: { 'http-equiv': 'Content-Security-Policy', content: CSP }, injectTo: 'head-prepend' },
  ],
};

// `npm run dev:renderer` in a browser: the page talks to its own origin, so the dev server
// forwards REST and Socket.IO to a presence server started with `npm run server`.
const devTarget = process.env.HERENOW_DEV_SERVER ?? 'http://127.0.0.1:3000';

export default defineConfig({
  root,
  base: './',
  plugins: [react(), contentSecurityPolicy],
  server: {
    proxy: {
      '/api': devTarget,
      '/socket.io': { target: devTarget, ws: true },
    },
  },
  build: {
    outDir,
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: true,
  },
});
