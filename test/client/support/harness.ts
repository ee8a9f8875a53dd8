/**
 * Integration harness: the REAL presence server in-process on port 0, real PresenceClients, and
 * bounded waits. Everything started here is closed by `cleanup()` (call it in afterEach).
 */
import { PresenceApi } from '../../../client/api.js';
import type { ClientDiagnostic, PresenceClientOptions } from '../../../client/options.js';
import { PresenceClient } from '../../../client/presence-client.js';
import { memorySessionStorage } from '../../../client/session-storage.js';
import type { ClientSnapshot } from '../../../client/types.js';
import { createPresenceServer, type PresenceServer, type ServerDeps } from '../../../server/app.js';
import { configFor, type ServerConfig } from '../../../server/config.js';
import { startTcpProxy, type TcpProxy } from '../../support/tcp-proxy.js';

/** Short timings so liveness shows within a test; limits high enough for many test clients. */
export const FAST: Partial<ServerConfig> = {
  heartbeatIntervalMs: 200,
  staleTimeoutMs: 600,
  leaveGraceMs: 100,
  statsIntervalMs: 50,
  activeWindowMs: 60_000,
  guestCreatePerMinute: 100_000,
  eventsPerSecond: 1_000,
};

const closers: (() => Promise<unknown>)[] = [];

/** Starts a real server; closed by cleanup(). */
export async function startServer(overrides: Partial<ServerConfig> = {}, deps: ServerDeps = {}): Promise<PresenceServer> {
  const server = await createPresenceServer(configFor({ ...FAST, ...overrides }), deps);
  closers.push(() => server.close());
  return server;
}

/** Starts a TCP proxy to `server`; closed by cleanup(). */
export async function startProxy(server: { port: number }): Promise<TcpProxy> {
  const proxy = await startTcpProxy({ port: server.port });
  closers.push(() => proxy.close());
  return proxy;
}

export interface TestClient {
  client: PresenceClient;
  diags: ClientDiagnostic[];
  storage: ReturnType<typeof memorySessionStorage>;
  snapshots: ClientSnapshot[];
}

/** A PresenceClient recording its diagnostics and snapshots; stopped by cleanup(). */
export function newClient(serverUrl: string, options: Partial<PresenceClientOptions> = {}): TestClient {
  const diags: ClientDiagnostic[] = [];
  const snapshots: ClientSnapshot[] = [];
  const storage = memorySessionStorage();
  const client = new PresenceClient({
    serverUrl,
    storage,
    autoRecreateSession: true,
    ackTimeoutMs: 2_000,
    connectTimeoutMs: 2_000,
    ...options,
    onDiagnostic: (d) => {
      diags.push(d);
      options.onDiagnostic?.(d);
    },
  });
  client.subscribe((s) => snapshots.push(s));
  closers.push(() => client.stop());
  return { client, diags, storage: (options.storage as typeof storage | undefined) ?? storage, snapshots };
}

/** A started client that is connected. */
export async function connectedClient(serverUrl: string, options: Partial<PresenceClientOptions> = {}): Promise<TestClient> {
  const c = newClient(serverUrl, options);
  await c.client.start();
  await waitFor('connected', () => c.client.getSnapshot().connection.status === 'connected');
  return c;
}

/** Polls `probe` every 5 ms until it returns something truthy; fails after `timeoutMs`. */
export async function waitFor<T>(what: string, probe: () => T | null | undefined | false, timeoutMs = 5_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (let i = 0; i < 100_000; i++) {
    const value = probe();
    if (value) return value;
    if (Date.now() > deadline) break;
    await sleep(5);
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}

/** The first diagnostic of `type` (after index `from`) matching `pred`, waiting for it. */
export function waitForDiag<K extends ClientDiagnostic['type']>(
  c: TestClient,
  type: K,
  pred: (d: Extract<ClientDiagnostic, { type: K }>) => boolean = () => true,
  from = 0,
  timeoutMs = 5_000,
): Promise<Extract<ClientDiagnostic, { type: K }>> {
  const match = (d: ClientDiagnostic): d is Extract<ClientDiagnostic, { type: K }> => d.type === type;
  return waitFor(`diagnostic ${type}`, () => c.diags.slice(from).filter(match).find(pred), timeoutMs);
}

/** Diagnostics of one type. */
export function diagsOf<K extends ClientDiagnostic['type']>(c: TestClient, type: K): Extract<ClientDiagnostic, { type: K }>[] {
  return c.diags.filter((d): d is Extract<ClientDiagnostic, { type: K }> => d.type === type);
}

/** Real-time sleep (for letting network traffic happen, never for domain time). */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A REST client for the server, to look at it from outside. */
export function restOf(serverUrl: string): PresenceApi {
  return new PresenceApi({ serverUrl });
}

/** Closes every client, proxy and server started since the last cleanup, newest first. */
export async function cleanup(): Promise<void> {
  const all = closers.splice(0).reverse();
  for (const close of all) await close().catch(() => undefined);
}
