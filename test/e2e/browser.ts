/**
 * Shared pieces of the renderer's end-to-end tests: build the real renderer, launch the system
 * Chromium (never a downloaded one), and small polling helpers. playwright-core has no `expect`
 * with retries (that is @playwright/test), so the tests poll through `eventually`.
 */
import { mkdir, mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { build } from 'vite';

const repo = fileURLToPath(new URL('../..', import.meta.url));
export const SCREENSHOT_DIR = path.join(repo, 'test-output', 'screenshots');

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-quic',
  '--no-first-run',
  '--disable-component-update',
  '--disable-sync',
];

/**
 * Builds the renderer from source into a fresh temp folder, so the test never runs a stale
 * dist/ and never clobbers the one the desktop app may be using.
 */
export async function buildRenderer(): Promise<string> {
  const outDir = await mkdtemp(path.join(os.tmpdir(), 'herenow-web-'));
  await build({
    configFile: path.join(repo, 'renderer', 'vite.config.ts'),
    logLevel: 'warn',
    build: { outDir, emptyOutDir: true, sourcemap: false },
  });
  return outDir;
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
}

/** A visitor: their own context (cookies, localStorage), so two of them are two people. */
export async function newVisitor(browser: Browser, scheme: 'light' | 'dark' = 'light'): Promise<{ context: BrowserContext; page: Page; errors: string[] }> {
  const context = await browser.newContext({ colorScheme: scheme, locale: 'en-US', viewport: { width: 1280, height: 860 } });
  // Fail a missing element in 10 s with a clear message, well inside the test's own timeout.
  context.setDefaultTimeout(10_000);
  const page = await context.newPage();
  // Page errors and console errors (a CSP violation is one) fail the test at the end.
  const errors: string[] = [];
  page.on('pageerror', (err) => errors.push(`pageerror: ${err.message}`));
  page.on('console', (msg) => {
    if (msg.type() === 'error') errors.push(`console: ${msg.text()}`);
  });
  return { context, page, errors };
}

/** Retries `probe` until it returns a value accepted by `ok`, or throws with the last value. */
export async function eventually<T>(probe: () => Promise<T>, ok: (value: T) => boolean, what: string, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  for (;;) {
    try {
      last = await probe();
      if (ok(last)) return last;
    } catch {
      // the element may not exist yet; keep polling
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last value: ${JSON.stringify(last)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The number a stat card shows (its text, parsed the way an outside test would). */
export async function stat(page: Page, key: string): Promise<number> {
  const text = (await page.getByTestId(`stat-${key}`).textContent()) ?? '';
  return Number(text.replace(/[^\d]/g, ''));
}

export function statEquals(page: Page, key: string, expected: number, timeoutMs?: number): Promise<number> {
  return eventually(() => stat(page, key), (v) => v === expected, `stat-${key} = ${expected}`, timeoutMs);
}

export function textOf(page: Page, testId: string): Promise<string> {
  return page.getByTestId(testId).innerText();
}

/** Saves `name`-light.png and `name`-dark.png of the page as it is now. */
export async function screenshotBothSchemes(page: Page, name: string): Promise<void> {
  await mkdir(SCREENSHOT_DIR, { recursive: true });
  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme, reducedMotion: 'reduce' });
    await page.screenshot({ path: path.join(SCREENSHOT_DIR, `${name}-${scheme}.png`), fullPage: true, animations: 'disabled' });
  }
  await page.emulateMedia({ colorScheme: 'light', reducedMotion: 'no-preference' });
}
