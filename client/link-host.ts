/** The contract between Link (the connection lifecycle) and its host, PresenceClient. */
import type { ConnectionEstablished } from '../server/protocol.js';
import type { PresenceSocket } from './connection.js';
import type { Diagnostic } from './options.js';
import type { ConnectionState, SessionRecreated } from './types.js';


/** Wraps a handler so that it runs only while its socket is the current one. */
export type Live = <A>(fn: (a: A) => void) => (a: A) => void;

export interface EstablishedInfo {
  now: number;
  paused: boolean;
  /** not the first connection of this client */
  reconnect: boolean;
  /** set when this connection was forced by a wake (resume, gap, missed ack) */
  wakeStartedAt: number | null;
  recreated: SessionRecreated | null;
}

export interface LinkHost {
  bind(socket: PresenceSocket, live: Live): void;
  established(e: ConnectionEstablished, info: EstablishedInfo): void;
  connection(state: ConnectionState): void;
  /** the guest session was replaced or lost: forget who I was */
  sessionReset(): void;
  diag(d: Diagnostic): void;
}
