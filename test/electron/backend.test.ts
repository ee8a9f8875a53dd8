/** The desktop config and the choice between a remote server and the embedded one. */
import { describe, expect, it, vi } from 'vitest';
import { loadDesktopConfig } from '../../electron/config.js';
import { setupEmbedded } from '../../electron/embedded.js';

describe('loadDesktopConfig', () => {
  it('defaults to the all-in-one mode on loopback, any port, quiet logs', () => {
    const config = loadDesktopConfig({ HOST: '0.0.0.0', PORT: '3000' });
    expect(config.serverUrl).toBeNull();
    expect(config.rendererUrl).toBeNull();
    expect(config.embeddedServer).toMatchObject({ host: '127.0.0.1', port: 0, logLevel: 'warn', redisUrl: null });
    expect(config.trayIntervalMs).toBe(1000);
  });

  it('passes the server variables to the embedded server (Redis, stats cadence)', () => {
    const config = loadDesktopConfig({ REDIS_URL: 'redis://127.0.0.1:6390', STATS_INTERVAL_MS: '250' });
    expect(config.embeddedServer).toMatchObject({ redisUrl: 'redis://127.0.0.1:6390', statsIntervalMs: 250 });
    expect(config.trayIntervalMs).toBe(250);
  });

  it('does not let NODE_ENV=production stop a loopback server for want of a JWT secret', () => {
    expect(loadDesktopConfig({ NODE_ENV: 'production' }).embeddedServer?.jwtSecretGenerated).toBe(true);
  });

  it('uses HERENOW_SERVER_URL instead, without reading the server variables', () => {
    const config = loadDesktopConfig({ HERENOW_SERVER_URL: 'https://herenow.example/', REDIS_URL: 'nonsense' });
    expect(config.serverUrl).toBe('https://herenow.example');
    expect(config.embeddedServer).toBeNull();
  });

  it('names every bad variable', () => {
    expect(() => loadDesktopConfig({ HERENOW_SERVER_URL: 'ftp://x', HERENOW_RENDERER_URL: 'nope' })).toThrow(
      /HERENOW_SERVER_URL[\s\S]*HERENOW_RENDERER_URL/,
    );
    expect(() => loadDesktopConfig({ REDIS_URL: 'nonsense' })).toThrow(/REDIS_URL/);
  });
});

describe('setupEmbedded', () => {
  const fakeServer = () => {
    const close = vi.fn(() => Promise.resolve());
    const factory = vi.fn(() => Promise.resolve({ url: 'http://127.0.0.1:41234', close }));
    return { factory, close };
  };

  it('starts the embedded server with the embedded config and closes it', async () => {
    const config = loadDesktopConfig({});
    const { factory, close } = fakeServer();
    const backend = await setupEmbedded(config, factory);
    expect(factory).toHaveBeenCalledWith(config.embeddedServer);
    expect(backend).toMatchObject({ mode: 'embedded', serverUrl: 'http://127.0.0.1:41234', sessionKey: null });
    await backend.close();
    expect(close).toHaveBeenCalledOnce();
  });

  it('keeps sessions across launches only when the store and the signing key survive', async () => {
    const { factory } = fakeServer();
    const redisOnly = await setupEmbedded(loadDesktopConfig({ REDIS_URL: 'redis://h:1' }), factory);
    expect(redisOnly.sessionKey).toBeNull();
    const both = await setupEmbedded(
      loadDesktopConfig({ REDIS_URL: 'redis://h:1', JWT_SECRET: 'a-long-enough-secret' }),
      factory,
    );
    expect(both.sessionKey).toBe('embedded:redis://h:1');
  });

  it('starts nothing for a remote server', async () => {
    const { factory } = fakeServer();
    const backend = await setupEmbedded(loadDesktopConfig({ HERENOW_SERVER_URL: 'http://10.0.0.2:3000' }), factory);
    expect(factory).not.toHaveBeenCalled();
    expect(backend).toMatchObject({ mode: 'remote', serverUrl: 'http://10.0.0.2:3000', sessionKey: 'http://10.0.0.2:3000' });
    await backend.close();
  });
});
