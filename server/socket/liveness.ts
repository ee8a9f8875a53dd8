/**
 * Stale-connection detection for this node's sockets: a connection that sent no event
 * (heartbeat or action) for STALE_TIMEOUT_MS is dropped. Only application events count: they are
 * what keeps the user's lastSeen fresh, so an online user is always an active one.
 */
export interface Closable {
  disconnect(close?: boolean): unknown;
}

export class Liveness {
  /** socket -> last activity, ordered by last activity (re-inserted on every event) */
  private readonly last = new Map<Closable, number>();

  constructor(private readonly staleTimeoutMs: number) {}

  /** Records activity on `socket`. */
  seen(socket: Closable, now: number): void {
    this.last.delete(socket);
    this.last.set(socket, now);
  }

  /** Stops tracking `socket`. */
  forget(socket: Closable): void {
    this.last.delete(socket);
  }

  /** Drops every socket silent for longer than the stale timeout; returns how many. */
  sweep(now: number): number {
    let dropped = 0;
    for (const [socket, at] of this.last) {
      if (at > now - this.staleTimeoutMs) break;
      this.last.delete(socket);
      socket.disconnect(true);
      dropped++;
    }
    return dropped;
  }

  get size(): number {
    return this.last.size;
  }
}
