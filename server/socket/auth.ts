/**
 * Handshake authentication: `auth: { token }` must be a valid, unexpired JWT of a live session.
 * A refusal's `connect_error` has `message` = the code and `data: { code }`.
 */
import type { Socket } from 'socket.io';
import type { ConnectErrorCode } from '../protocol.js';
import { sessionOf } from '../auth/session.js';
import type { ServerContext } from '../context.js';

class ConnectRefused extends Error {
  readonly data: { code: ConnectErrorCode };
  constructor(code: ConnectErrorCode) {
    super(code);
    this.data = { code };
  }
}

/** The Socket.IO middleware for one server. */
export function authMiddleware(ctx: ServerContext) {
  return (socket: Socket, next: (err?: Error) => void): void => {
    void (async () => {
      const auth: unknown = socket.handshake.auth;
      const token = auth && typeof auth === 'object' ? (auth as Record<string, unknown>).token : undefined;
      const now = ctx.now();
      const check = ctx.tokens.verify(token, now);
      if (!check.ok) return next(new ConnectRefused(check.code));
      const session = await sessionOf(ctx, check, now);
      if (!session) return next(new ConnectRefused('session_not_found'));
      if (!(await ctx.limits.connect.take(check.userId))) return next(new ConnectRefused('rate_limited'));
      socket.data = { userId: session.id, username: session.username, connId: socket.id };
      next();
    })().catch((err: unknown) => {
      ctx.log.error({ err }, 'handshake failed');
      ctx.metrics.storeErrors.inc({ op: 'handshake' });
      // The store is unreachable: the client retries with backoff.
      next(new Error('unavailable'));
    });
  };
}
