/**
 * Guest session tokens: HS256 JWTs whose `sub` is the user id (jsonwebtoken). Verification
 * results are values so callers map them onto the protocol's error codes in one place.
 *
 * A token also carries what it vouches for (`name`, `cat` = createdAt, `sx` = the session's
 * expiresAt when the token was issued). A session cannot end before `sx` but by a delete, which
 * leaves a tombstone outliving `sx`; so a store that has neither the session nor its tombstone
 * before `sx` has lost it (a Redis restarted empty, the embedded server restarted) and the
 * session is written back from the token (auth/session.ts) instead of being lost.
 */
import { createSecretKey } from 'node:crypto';
import jwt from 'jsonwebtoken';

/** The session a token vouches for. */
export interface TokenSession {
  id: string;
  username: string;
  createdAt: number;
  /** the session's expiresAt when the token was issued: it lives at least until then */
  expiresAt: number;
}

export interface TokenService {
  /** Signs a token for the session; returns it with its expiry (ms since epoch). */
  issue(session: TokenSession, now: number): { token: string; tokenExpiresAt: number };
  /** Verifies a token at `now`. */
  verify(token: unknown, now: number): TokenCheck;
  /** Verifies a token that may have expired up to the refresh grace ago. */
  verifyForRefresh(token: unknown, now: number): TokenCheck;
}

export type TokenCheck =
  | {
      ok: true;
      userId: string;
      expiresAt: number;
      /** when it was issued (ms) */
      issuedAt: number;
      /** what the token vouches for; null for a token without those claims */
      session: TokenSession | null;
    }
  | { ok: false; code: 'unauthorized' | 'token_expired' };

const ALGORITHM = 'HS256';

/** The session claims of a verified payload, when all are there and well-formed. */
function vouched(id: string, p: jwt.JwtPayload): TokenSession | null {
  const { name, cat, sx } = p as { name?: unknown; cat?: unknown; sx?: unknown };
  if (typeof name !== 'string' || name.length === 0 || name.length > 64) return null;
  if (typeof cat !== 'number' || !Number.isSafeInteger(cat) || typeof sx !== 'number' || !Number.isSafeInteger(sx)) return null;
  return { id, username: name, createdAt: cat, expiresAt: sx };
}

/** Builds the token service from the configured secret and lifetimes. */
export function createTokenService(opts: { secret: string; ttlMs: number; refreshGraceMs: number }): TokenService {
  // A key object made once: given a string, jsonwebtoken builds one on every sign and verify.
  const key = createSecretKey(Buffer.from(opts.secret, 'utf8'));
  function decode(token: unknown, now: number, graceMs: number): TokenCheck {
    if (typeof token !== 'string' || token.length === 0 || token.length > 4096) return { ok: false, code: 'unauthorized' };
    try {
      const payload = jwt.verify(token, key, {
        algorithms: [ALGORITHM],
        clockTimestamp: Math.floor(now / 1000),
        ignoreExpiration: true,
      });
      if (typeof payload !== 'object' || typeof payload.sub !== 'string' || typeof payload.exp !== 'number') {
        return { ok: false, code: 'unauthorized' };
      }
      const expiresAt = payload.exp * 1000;
      if (now >= expiresAt + graceMs) return { ok: false, code: 'token_expired' };
      const issuedAt = typeof payload.iat === 'number' ? payload.iat * 1000 : expiresAt - opts.ttlMs;
      return { ok: true, userId: payload.sub, expiresAt, issuedAt, session: vouched(payload.sub, payload) };
    } catch {
      return { ok: false, code: 'unauthorized' };
    }
  }
  return {
    issue(session, now) {
      const exp = Math.floor((now + opts.ttlMs) / 1000);
      const claims = { sub: session.id, iat: Math.floor(now / 1000), exp, name: session.username, cat: session.createdAt, sx: session.expiresAt };
      const token = jwt.sign(claims, key, { algorithm: ALGORITHM });
      return { token, tokenExpiresAt: exp * 1000 };
    },
    verify: (token, now) => decode(token, now, 0),
    verifyForRefresh: (token, now) => decode(token, now, opts.refreshGraceMs),
  };
}
