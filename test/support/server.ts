/**
 * Test harness: a real presence server on port 0 and real socket.io-client connections.
 * Every `realtime:stats` / `stats:update` a client receives is checked against the protocol's
 * invariants; `expectNoViolations()` fails the test if any was broken.
 */
import { io as connect, type Socket } from 'socket.io-client';
import { expect } from 'vitest';
import { createPresenceServer, type PresenceServer, type ServerDeps } from '../../server/app.js';
import { configFor, type ServerConfig } from '../../server/config.js';
import {
  type ClientToServerEvents,
  type GuestCreated,
  type ServerToClientEvents,
  brokenInvariant,
} from '../../server/protocol.js';

export type TestSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/** Short intervals so liveness tests take milliseconds, valid per the config's own rules. */
export const FAST: Partial<ServerConfig> = {
  heartbeatIntervalMs: 200,
  staleTimeoutMs: 600,
  leaveGraceMs: 150,
  statsIntervalMs: 40,
  activeWindowMs: 60_000,
  historySampleMs: 100,
  guestCreatePerMinute: 10_000,
};

export interface Harness {
  server: PresenceServer;
  url: string;
  violations: string[];
  sockets: TestSocket[];
  /** creates a guest session through the REST API */
  guest(username?: string): Promise<GuestCreated>;
  /** connects a socket with the token and waits for connection:established */
  client(token: string): Promise<{ socket: TestSocket; established: Parameters<ServerToClientEvents['connection:established']>[0] }>;
  /** a guest plus one connected socket */
  user(username?: string): Promise<{ guest: GuestCreated; socket: TestSocket }>;
  close(): Promise<void>;
}

/** Starts a server (memory store unless deps.store is given) with test-friendly settings. */
export async function startHarness(overrides: Partial<ServerConfig> = {}, deps: ServerDeps = {}): Promise<Harness> {
  const server = await createPresenceServer(configFor({ ...FAST, ...overrides }), deps);
  const violations: string[] = [];
  const sockets: TestSocket[] = [];
  const h: Harness = {
    server,
    url: server.url,
    violations,
    sockets,
    async guest(username) {
      const res = await fetch(`${server.url}/api/guest`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(username ? { username } : {}),
      });
      expect(res.status).toBe(201);
      return (await res.json()) as GuestCreated;
    },
    async client(token) {
      const socket: TestSocket = connect(server.url, { auth: { token }, transports: ['websocket'], reconnection: false, forceNew: true });
      sockets.push(socket);
      const check = (p: { stats: Parameters<typeof brokenInvariant>[0]; seq: number }) => {
        const broken = brokenInvariant(p.stats);
        if (broken) violations.push(`${broken}: ${JSON.stringify(p.stats)} seq ${p.seq}`);
      };
      socket.on('realtime:stats', check);
      socket.on('stats:update', check);
      const established = await new Promise<Parameters<ServerToClientEvents['connection:established']>[0]>((resolve, reject) => {
        socket.once('connection:established', resolve);
        socket.once('connect_error', reject);
      });
      check(established);
      return { socket, established };
    },
    async user(username) {
      const guest = await h.guest(username);
      const { socket } = await h.client(guest.token);
      return { guest, socket };
    },
    async close() {
      for (const s of sockets) s.disconnect();
      await server.close();
    },
  };
  return h;
}

/** Resolves with the next `event` payload that satisfies `pred` (bounded by `timeoutMs`). */
export function next<E extends keyof ServerToClientEvents>(
  socket: TestSocket,
  event: E,
  pred: (p: Parameters<ServerToClientEvents[E]>[0]) => boolean = () => true,
  timeoutMs = 5_000,
): Promise<Parameters<ServerToClientEvents[E]>[0]> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      socket.off(event, listener as never);
      reject(new Error(`no ${event} matching within ${timeoutMs} ms`));
    }, timeoutMs);
    const listener = (p: Parameters<ServerToClientEvents[E]>[0]) => {
      if (!pred(p)) return;
      clearTimeout(timer);
      socket.off(event, listener as never);
      resolve(p);
    };
    socket.on(event, listener as never);
  });
}

/** Cuts the connection as a network loss would ("transport close" on the server): the leave grace applies. */
export function dropTransport(socket: TestSocket): void {
  socket.io.engine.close();
}

/** Emits a raw event (any name, any arguments) and resolves with the ack. */
export function rawEmit(socket: TestSocket, event: string, ...args: unknown[]): Promise<unknown> {
  return (socket as unknown as { timeout(ms: number): { emitWithAck(e: string, ...a: unknown[]): Promise<unknown> } })
    .timeout(3_000)
    .emitWithAck(event, ...args);
}

/** Polls `fn` until it returns true (bounded). */
export async function until(fn: () => boolean | Promise<boolean>, timeoutMs = 5_000, stepMs = 20): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (await fn()) return;
    await new Promise((r) => setTimeout(r, stepMs));
  }
  throw new Error(`condition not met within ${timeoutMs} ms`);
}

/** GET a JSON API path. */
export async function getJson<T>(url: string, path: string, token?: string): Promise<{ status: number; body: T }> {
  const res = await fetch(`${url}${path}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : null) as T };
}
