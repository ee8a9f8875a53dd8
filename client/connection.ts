/**
 * One Socket.IO connection attempt and typed requests over it. Socket.IO's own reconnection is
 * off: PresenceClient opens a fresh socket per attempt (its own backoff, see backoff.ts), which
 * also guarantees that a wake never reuses a socket that only looks open.
 */
import { io, type Socket } from 'socket.io-client';
import type { ClientEventName, ClientToServerEvents, ServerToClientEvents } from '../server/protocol.js';
import { ClientError } from './errors.js';

export type PresenceSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/** The payload a client event takes. */
export type PayloadOf<E extends ClientEventName> = Parameters<ClientToServerEvents[E]>[0];
/** The ack a client event answers with. */
export type AckOf<E extends ClientEventName> = Parameters<Parameters<ClientToServerEvents[E]>[1]>[0];
/** The successful ack of a client event. */
export type OkOf<E extends ClientEventName> = Extract<AckOf<E>, { ok: true }>;

/** Thrown when the server did not acknowledge in time: the connection may be dead. */
export class AckTimeoutError extends ClientError {
  override name = 'AckTimeoutError';
}

export interface SocketOptions {
  serverUrl: string;
  token: string;
  /** how long the handshake may take before `connect_error` */
  connectTimeoutMs: number;
}

/** Opens one websocket-only connection attempt (no Socket.IO reconnection, no shared Manager). */
export function openSocket(options: SocketOptions): PresenceSocket {
  return io(options.serverUrl, {
    transports: ['websocket'],
    reconnection: false,
    forceNew: true,
    timeout: options.connectTimeoutMs,
    auth: { token: options.token },
  });
}

/** Emits `event` and waits for its ack; a failed ack throws ClientError, silence AckTimeoutError. */
export async function request<E extends ClientEventName>(
  socket: PresenceSocket,
  event: E,
  payload: PayloadOf<E>,
  timeoutMs: number,
): Promise<OkOf<E>> {
  if (!socket.connected) throw new ClientError('unavailable', `${event}: not connected`);
  const timed = socket.timeout(timeoutMs);
  // socket.io's emit types cannot follow a generic event name through their conditional types;
  // this is the same ClientToServerEvents map, narrowed by hand.
  const emitWithAck = timed.emitWithAck.bind(timed) as (ev: E, p: PayloadOf<E>) => Promise<AckOf<E>>;
  let ack: AckOf<E>;
  try {
    ack = await emitWithAck(event, payload);
  } catch {
    throw new AckTimeoutError('unavailable', `${event}: no ack within ${timeoutMs} ms`);
  }
  if (!ack.ok) throw new ClientError(ack.error.code, `${event}: ${ack.error.message}`);
  return ack as OkOf<E>;
}

/** Disconnects and resolves once the transport has closed (bounded by `boundMs`: an I/O bound,
 * not domain time), so a quitting app's disconnect packet leaves before the process exits. */
export async function closeSocket(socket: PresenceSocket, boundMs = 1_000): Promise<void> {
  socket.removeAllListeners();
  const engine = socket.io.engine;
  const closed = new Promise<void>((resolve) => (engine ? engine.once('close', () => resolve()) : resolve()));
  socket.disconnect();
  let guard: ReturnType<typeof globalThis.setTimeout> | undefined;
  await Promise.race([closed, new Promise<void>((resolve) => (guard = globalThis.setTimeout(resolve, boundMs)))]);
  globalThis.clearTimeout(guard);
}
