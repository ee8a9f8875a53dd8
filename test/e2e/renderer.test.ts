/**
 * The browser build end to end: the real renderer, built from source, served by a real presence
 * server, driven in headless Chromium. Two visitors are two browser contexts (two guest sessions).
 */
import { rm } from 'node:fs/promises';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPresenceServer, type PresenceServer } from '../../server/app.js';
import { configFor } from '../../server/config.js';
import { buildRenderer, eventually, launchChromium, newVisitor, screenshotBothSchemes, stat, statEquals, textOf } from './browser.js';

const MINUTE = 60_000;

let webRoot: string;
let server: PresenceServer;
let browser: Browser;
const pageErrors: string[] = [];

/**
 * An hour of history in the real store, so the chart in the screenshots shows a day-like curve
 * instead of a fresh server's single point. Only the chart reads it; no assertion depends on it.
 */
async function seedHistory(target: PresenceServer): Promise<void> {
  const end = Math.floor(Date.now() / MINUTE) * MINUTE - MINUTE;
  for (let i = 59; i >= 0; i--) {
    const online = Math.round(9 + 5 * Math.sin(i / 7) + 3 * Math.cos(i / 3));
    await target.store.appendHistory({ t: end - i * MINUTE, onlineUsers: online, activeUsers: online + 6, availableUsers: 1, connectedUsers: 2 });
  }
}

async function visit(scheme: 'light' | 'dark' = 'light'): Promise<Page> {
  const { page, errors } = await newVisitor(browser, scheme);
  page.on('pageerror', () => pageErrors.push(...errors.splice(0)));
  page.on('console', () => pageErrors.push(...errors.splice(0)));
  await page.goto(server.url);
  await eventually(() => textOf(page, 'connection-status'), (t) => t === 'Connected', 'connected');
  await page.getByTestId('me-username').waitFor();
  return page;
}

beforeAll(async () => {
  webRoot = await buildRenderer();
  // Fast stats so counts move within the test's patience; everything else is the default.
  server = await createPresenceServer(configFor({ webRoot, statsIntervalMs: 100 }));
  await seedHistory(server);
  browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
  if (webRoot) await rm(webRoot, { recursive: true, force: true });
});

describe('HereNow in the browser, against a real server', () => {
  let alice: Page;
  let bob: Page;
  let aliceName: string;
  let bobName: string;

  it('serves the renderer at / and connects a first visitor', async () => {
    alice = await visit();
    aliceName = await textOf(alice, 'me-username');
    expect(aliceName.length).toBeGreaterThanOrEqual(3);
    await statEquals(alice, 'onlineUsers', 1);
    expect(await stat(alice, 'totalUsers')).toBe(1);
    await alice.getByRole('list', { name: 'Online users' }).getByText(aliceName).waitFor();
  });

  it('two visitors see each other come online and the counts move', async () => {
    bob = await visit();
    bobName = await textOf(bob, 'me-username');
    expect(bobName).not.toBe(aliceName);
    await statEquals(alice, 'onlineUsers', 2);
    await statEquals(bob, 'onlineUsers', 2);
    await statEquals(alice, 'totalUsers', 2);
    // Alice's list is subscribed: Bob appears without a reload.
    await alice.getByRole('list', { name: 'Online users' }).getByText(bobName).waitFor();
    await bob.getByRole('list', { name: 'Online users' }).getByText(aliceName).waitFor();
    await screenshotBothSchemes(alice, 'lobby');
    // The browser build on a phone-sized screen: one column, same content.
    await bob.setViewportSize({ width: 390, height: 844 });
    await screenshotBothSchemes(bob, 'lobby-narrow');
    await bob.setViewportSize({ width: 1280, height: 860 });
  });

  it('one finds the other; both see the counts of searching and chatting', async () => {
    await alice.getByTestId('find-button').click();
    await alice.getByTestId('cancel-button').waitFor();
    await statEquals(bob, 'availableUsers', 1);
    await screenshotBothSchemes(alice, 'searching');

    await bob.getByTestId('find-button').click();
    await alice.getByTestId('message-input').waitFor();
    await bob.getByTestId('message-input').waitFor();
    await statEquals(alice, 'connectedUsers', 2);
    await statEquals(alice, 'availableUsers', 0);
    await screenshotBothSchemes(bob, 'chat-new');
    expect(await alice.getByRole('region', { name: `Chat with ${bobName}` }).count()).toBe(1);
  });

  it('they exchange messages: Enter sends, the partner receives', async () => {
    await alice.getByTestId('message-input').fill('Hi! Where are you writing from?');
    await alice.getByTestId('message-input').press('Enter');
    await eventually(() => textOf(bob, 'messages'), (t) => t.includes('Hi! Where are you writing from?'), 'bob receives');
    expect(await alice.getByTestId('message-input').inputValue()).toBe('');

    await bob.getByTestId('message-input').fill('Lisbon, by the sea. And you?');
    await bob.getByTestId('message-input').press('Enter');
    await eventually(() => textOf(alice, 'messages'), (t) => t.includes('Lisbon, by the sea. And you?'), 'alice receives');
    await alice.getByTestId('message-input').fill('A rainy Berlin afternoon ☔');
    await alice.getByTestId('message-input').press('Enter');
    await eventually(() => textOf(bob, 'messages'), (t) => t.includes('rainy Berlin'), 'bob receives the second');
    // Sent, not stuck in "Sending…"
    await eventually(() => alice.locator('[data-testid="messages"] [data-state="sending"]').count(), (n) => n === 0, 'sent');
    await screenshotBothSchemes(alice, 'chat');
  });

  it('one leaves with Next; the other sees it and can search again', async () => {
    await bob.getByTestId('next-button').click();
    await bob.getByTestId('cancel-button').waitFor();
    await eventually(() => textOf(alice, 'chat-ended'), (t) => t === `${bobName} left the chat.`, 'partner-left notice');
    await alice.getByTestId('find-button').waitFor();
    expect(await alice.getByTestId('message-input').count()).toBe(0);
    await statEquals(alice, 'connectedUsers', 0);
    await statEquals(alice, 'availableUsers', 1);
    await screenshotBothSchemes(alice, 'chat-ended');
    await bob.getByTestId('cancel-button').click();
    await bob.getByTestId('find-button').waitFor();
    await statEquals(alice, 'availableUsers', 0);
  });

  it('hiding takes me out of the online count; showing brings me back', async () => {
    await bob.getByRole('switch', { name: /Visible to others/ }).click();
    await statEquals(alice, 'onlineUsers', 1);
    expect(await bob.getByTestId('find-button').isDisabled()).toBe(true);
    await bob.getByRole('switch', { name: /Visible to others/ }).click();
    await statEquals(alice, 'onlineUsers', 2);
  });

  it('a reload keeps the session: same name, still online, no extra session', async () => {
    const total = await stat(alice, 'totalUsers');
    await alice.reload();
    await eventually(() => textOf(alice, 'connection-status'), (t) => t === 'Connected', 'connected after reload');
    expect(await textOf(alice, 'me-username')).toBe(aliceName);
    await statEquals(alice, 'onlineUsers', 2);
    expect(await stat(alice, 'totalUsers')).toBe(total);
    await statEquals(bob, 'onlineUsers', 2);
  });

  it('logged no page or console errors (CSP included)', () => {
    expect(pageErrors).toEqual([]);
  });

  // Last, because it takes the server away (and the browser then logs refused connections).
  it('says so when the server goes away', async () => {
    await server.close();
    await eventually(() => textOf(alice, 'connection-status'), (t) => t.startsWith('Reconnecting'), 'reconnecting');
    await screenshotBothSchemes(alice, 'reconnecting');
  });
});
