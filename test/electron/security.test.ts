import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  APP_INDEX_URL,
  contentSecurityPolicy,
  isAllowedNavigation,
  rendererFileFor,
  rendererResponse,
} from '../../electron/security.js';

describe('contentSecurityPolicy', () => {
  it('allows only our own scripts and connections in production', () => {
    const csp = contentSecurityPolicy();
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-eval');
    expect(csp).not.toMatch(/script-src[^;]*unsafe-inline/);
    expect(csp).toContain("connect-src 'self'");
    expect(csp).toContain("object-src 'none'");
    expect(csp).toContain("frame-ancestors 'none'");
  });

  it("opens just what Vite's dev server needs in dev", () => {
    const csp = contentSecurityPolicy({ origin: 'http://localhost:5173' });
    expect(csp).toContain("connect-src 'self' ws://localhost:5173");
    expect(csp).toMatch(/script-src 'self' 'unsafe-inline'/);
  });
});

describe('isAllowedNavigation', () => {
  it('stays on our renderer', () => {
    expect(isAllowedNavigation('app://herenow/index.html#/chat', APP_INDEX_URL)).toBe(true);
    expect(isAllowedNavigation('https://evil.example/', APP_INDEX_URL)).toBe(false);
    expect(isAllowedNavigation('file:///etc/passwd', APP_INDEX_URL)).toBe(false);
    expect(isAllowedNavigation('app://other/index.html', APP_INDEX_URL)).toBe(false);
    expect(isAllowedNavigation('javascript:alert(1)', APP_INDEX_URL)).toBe(false);
    expect(isAllowedNavigation('not a url', APP_INDEX_URL)).toBe(false);
    expect(isAllowedNavigation('http://localhost:5173/x', 'http://localhost:5173')).toBe(true);
    expect(isAllowedNavigation('http://localhost:5174/x', 'http://localhost:5173')).toBe(false);
  });
});

describe('serving the renderer build at app://herenow/', () => {
  // base/secret.txt sits beside the renderer root: the file an escape would reach
  const base = mkdtempSync(join(tmpdir(), 'herenow-renderer-'));
  const root = join(base, 'renderer');
  mkdirSync(join(root, 'assets'), { recursive: true });
  writeFileSync(join(root, 'index.html'), '<!doctype html><title>HereNow</title>');
  writeFileSync(join(root, 'assets', 'app.js'), 'console.log(1)');
  writeFileSync(join(base, 'secret.txt'), 'nope');
  afterAll(() => rmSync(base, { recursive: true, force: true }));

  it('maps URLs into the root and refuses escapes', () => {
    expect(rendererFileFor(root, 'app://herenow/')).toBe(join(root, 'index.html'));
    expect(rendererFileFor(root, 'app://herenow/assets/app.js')).toBe(join(root, 'assets', 'app.js'));
    expect(rendererFileFor(root, 'app://herenow/../secret.txt')).toBe(join(root, 'secret.txt')); // URL parsing normalises
    expect(rendererFileFor(root, 'app://herenow/%2e%2e/secret.txt')).toBe(join(root, 'secret.txt'));
    expect(rendererFileFor(root, 'app://herenow/assets/%2e%2e%2f%2e%2e%2fsecret.txt')).toBeNull();
    expect(rendererFileFor(root, 'app://herenow/a%5c..%5c..%5csecret.txt')).toBeNull();
    expect(rendererFileFor(root, 'app://elsewhere/index.html')).toBeNull();
    expect(rendererFileFor(root, 'https://herenow/index.html')).toBeNull();
  });

  it('answers files with their type and the CSP on every response', async () => {
    const html = await rendererResponse(root, 'app://herenow/index.html', 'csp-here');
    expect(html.status).toBe(200);
    expect(html.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(html.headers.get('content-security-policy')).toBe('csp-here');
    expect(await html.text()).toContain('HereNow');
    const js = await rendererResponse(root, 'app://herenow/assets/app.js', 'csp-here');
    expect(js.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    const missing = await rendererResponse(root, 'app://herenow/assets/missing.js', 'csp-here');
    expect(missing.status).toBe(404);
    expect(missing.headers.get('content-security-policy')).toBe('csp-here');
    const escape = await rendererResponse(root, 'app://herenow/assets/%2e%2e%2f%2e%2e%2fsecret.txt', 'c');
    expect(escape.status).toBe(403);
  });

  it('falls back to index.html for client-side routes', async () => {
    const route = await rendererResponse(root, 'app://herenow/chat', 'c');
    expect(route.status).toBe(200);
    expect(await route.text()).toContain('HereNow');
  });
});
