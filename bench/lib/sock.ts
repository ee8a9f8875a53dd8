/**
 * A few socket.io-client connections in the bench's main thread (observers, subjects of the
 * timing figures), with an optional heartbeat and a watcher for onlineUsers in realtime:stats.
 */
import { io, type Socket } from 'socket.io-client';
import type { ClientToServerEvents, ServerToClientEvents } from '../../server/protocol.js';
import { nowMs } from './procs.js';

export type BenchSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

export interface OpenSocket {
  socket: BenchSocket;
  /** onlineUsers of the last realtime:stats (or connection:established) */
  online: number;
  /** when the last heartbeat was sent (nowMs), or 0 */
  lastBeatAt: number;
  /** stops heartbeating but keeps the connection (a frozen client) */
  freeze(): void;
  /** closes the WebSocket without socket.io's goodbye packet (a dropped connection) */
  drop(): void;
  /** Resolves the receipt time of the first realtime:stats whose onlineUsers satisfies `pred`, or null after `timeoutMs`. */
  until(pred: (online: number) => boolean, timeoutMs: number): Promise<number | null>;
  close(): void;
}

/** Connects with `token` and waits for connection:established; heartbeats every `heartbeatMs` if > 0. */
export async function openSocket(url: string, token: string, heartbeatMs = 0, timeoutMs = 10_000): Promise<OpenSocket> {
  const socket: BenchSocket = io(url, { auth: { token }, transports: ['websocket'], forceNew: true, reconnection: false });
  const waiters = new Set<{ pred: (n: number) => boolean; resolve: (t: number) => void }>();
  let timer: NodeJS.Timeout | null = null;
  const handle: OpenSocket = {
    socket,
    online: -1,
    lastBeatAt: 0,
    freeze() {
      if (timer) clearInterval(timer);
      timer = null;
    },
    drop() {
      handle.freeze();
      socket.io.reconnection(false);
      socket.io.engine.close();
    },
    until(pred, ms) {
      if (pred(handle.online)) return Promise.resolve(nowMs());
      return new Promise((resolve) => {
        const w = {
          pred,
          resolve: (t: number) => {
            clearTimeout(to);
            waiters.delete(w);
            resolve(t);
          },
        };
        const to = setTimeout(() => {
          waiters.delete(w);
          resolve(null);
        }, ms);
        waiters.add(w);
      });
    },
    close() {
      handle.freeze();
      socket.disconnect();
    },
  };
  socket.on('realtime:stats', (p) => {
    const t = nowMs();
    handle.online = p.stats.onlineUsers;
    for (const w of [...waiters]) if (w.pred(handle.online)) w.resolve(t);
  });
  await new Promise<void>((resolve, reject) => {
    const to = setTimeout(() => reject(new Error('connect timed out')), timeoutMs);
    socket.once('connection:established', (p) => {
      clearTimeout(to);
      handle.online = p.stats.onlineUsers;
      resolve();
    });
    socket.once('connect_error', (err) => {
      clearTimeout(to);
      reject(err);
    });
  });
  if (heartbeatMs > 0) {
    timer = setInterval(() => {
      handle.lastBeatAt = nowMs();
      socket.emit('presence:heartbeat', {}, () => undefined);
    }, heartbeatMs);
  }
  return handle;
}
