/**
 * Guest session tokens: HS256 JWTs whose `sub` is the user id (jsonwebtoken). Verification
 * results are values so callers map them onto the protocol's error codes in one place.
 */
import { createSecretKey } from 'node:crypto';
import jwt from 'jsonwebtoken';

export interface TokenService {
  /** Signs a token for `userId`; returns it with its expiry (ms since epoch). */
  issue(userId: string, now: number): { token: string; tokenExpiresAt: number };
  /** Verifies a token at `now`. */
  verify(token: unknown, now: number): TokenCheck;
  /** Verifies a token that may have expired up to the refresh grace ago. */
  verifyForRefresh(token: unknown, now: number): TokenCheck;
}

export type TokenCheck =
  | { ok: true; userId: string; expiresAt: number }
  | { ok: false; code: 'unauthorized' | 'token_expired' };

const ALGORITHM = 'HS256';

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
      return { ok: true, userId: payload.sub, expiresAt };
    } catch {
      return { ok: false, code: 'unauthorized' };
    }
  }
  return {
    issue(userId, now) {
      const exp = Math.floor((now + opts.ttlMs) / 1000);
      const token = jwt.sign({ sub: userId, iat: Math.floor(now / 1000), exp }, key, { algorithm: ALGORITHM });
      return { token, tokenExpiresAt: exp * 1000 };
    },
    verify: (token, now) => decode(token, now, 0),
    verifyForRefresh: (token, now) => decode(token, now, opts.refreshGraceMs),
  };
}
