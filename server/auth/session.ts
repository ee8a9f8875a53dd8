/**
 * The session a verified token stands for. Normally the store's record; when the store has
 * neither the session nor its tombstone although the token vouches that it lives until `sx`
 * (tokens.ts), the store lost it — a Redis restarted with empty data, or the embedded server
 * restarted with its memory store — and it is written back from the token: same id, name and
 * creation time, offline until the client's socket connects again. A deleted session stays
 * deleted: its tombstone outlives every token's `sx` and restoreSessions honours it.
 */
import type { ServerContext } from '../context.js';
import type { RestorableSession, SessionRecord } from '../store/types.js';
import type { TokenCheck } from './tokens.js';

type Verified = Extract<TokenCheck, { ok: true }>;

export async function sessionOf(ctx: ServerContext, check: Verified, now: number): Promise<SessionRecord | null> {
  const found = await ctx.store.getSession(check.userId, now);
  const vouched = check.session;
  if (found || !vouched || now >= vouched.expiresAt) return found;
  // Seen when the token was issued (a token is issued to a live session only).
  const record: RestorableSession = { ...vouched, lastSeen: Math.min(check.issuedAt, now), hidden: false };
  if ((await ctx.store.restoreSessions([record], now)) > 0) {
    ctx.metrics.sessionsRestored.inc();
    ctx.log.info({ userId: record.id }, 'session written back from its token (the store had lost it)');
  }
  return ctx.store.getSession(check.userId, now);
}
