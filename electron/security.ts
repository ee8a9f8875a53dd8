/**
 * The window's security rules as pure functions: the Content-Security-Policy, which navigations
 * are allowed, and how `app://herenow/...` maps onto the renderer build. window.ts applies them.
 *
 * Why a custom scheme instead of file://: a CSP header can only be attached to responses we
 * produce (webRequest.onHeadersReceived never sees file:// loads), a file:// page's origin is
 * every file on disk, and Vite's absolute asset paths (`/assets/x.js`) only resolve against a
 * real host. `app://herenow/` fixes all three without asking the renderer build for anything.
 */
import { readFile } from 'node:fs/promises';
import { extname, resolve, sep } from 'node:path';

export const APP_SCHEME = 'app';
export const APP_HOST = 'herenow';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
export const APP_INDEX_URL = `${APP_ORIGIN}/index.html`;

/**
 * The renderer's CSP. The page never talks to the network itself (the main process owns the
 * socket), so `connect-src` is only 'self'. Inline styles stay allowed for React style props and
 * chart libraries; scripts never. `dev` loosens exactly what Vite's dev server needs: its inline
 * React-refresh preamble and the HMR websocket.
 */
export function contentSecurityPolicy(dev: { origin: string } | null = null): string {
  const ws = dev ? dev.origin.replace(/^http/, 'ws') : null;
  const directives: [string, string[]][] = [
    ['default-src', ["'self'"]],
    ['script-src', dev ? ["'self'", "'unsafe-inline'"] : ["'self'"]],
    ['style-src', ["'self'", "'unsafe-inline'"]],
    ['img-src', ["'self'", 'data:', 'blob:']],
    ['font-src', ["'self'", 'data:']],
    ['connect-src', ws ? ["'self'", ws] : ["'self'"]],
    ['object-src', ["'none'"]],
    ['base-uri', ["'none'"]],
    ['form-action', ["'none'"]],
    ['frame-ancestors', ["'none'"]],
    ['frame-src', ["'none'"]],
  ];
  return directives.map(([name, values]) => `${name} ${values.join(' ')}`).join('; ');
}

/**
 * Navigation inside the window: only to our own renderer (a full reload or an in-app link).
 * Anything else — a link to the web, a redirect, a `javascript:` URL — is refused.
 */
export function isAllowedNavigation(url: string, rendererUrl: string): boolean {
  try {
    const to = new URL(url);
    const ours = new URL(rendererUrl);
    return to.protocol === ours.protocol && to.host === ours.host;
  } catch {
    return false;
  }
}

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

/**
 * The file under `root` that an `app://herenow/...` URL names, or null when the URL is not ours
 * or escapes `root` (`..`, encoded slashes). `/` means index.html.
 */
export function rendererFileFor(root: string, url: string): string | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return null;
  }
  if (parsed.protocol !== `${APP_SCHEME}:` || parsed.host !== APP_HOST) return null;
  let path: string;
  try {
    path = decodeURIComponent(parsed.pathname);
  } catch {
    return null;
  }
  if (path.includes('\0') || path.includes('\\')) return null;
  const base = resolve(root);
  const file = resolve(base, `.${path === '/' ? '/index.html' : path}`);
  return file.startsWith(base + sep) ? file : null;
}

/**
 * Answers one `app://herenow/...` request from the renderer build, with the CSP attached to
 * every response (so it also covers documents we add later). A path without an extension that
 * does not exist falls back to index.html, so client-side routes survive a reload.
 */
export async function rendererResponse(
  root: string,
  url: string,
  csp: string,
  read: (file: string) => Promise<Buffer> = readFile,
): Promise<Response> {
  const headers = { 'Content-Security-Policy': csp, 'X-Content-Type-Options': 'nosniff' };
  const file = rendererFileFor(root, url);
  if (file === null) return new Response('forbidden', { status: 403, headers });
  const candidates = extname(file) === '' ? [file, resolve(root, 'index.html')] : [file];
  for (const candidate of candidates) {
    try {
      const body = await read(candidate);
      const type = MIME[extname(candidate).toLowerCase()] ?? 'application/octet-stream';
      return new Response(new Uint8Array(body), { status: 200, headers: { ...headers, 'Content-Type': type } });
    } catch {
      // try the next candidate; a missing file is a 404 below, not an error to surface
    }
  }
  return new Response('not found', { status: 404, headers });
}
