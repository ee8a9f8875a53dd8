/**
 * REST routes (PROTOCOL.md "REST"). Errors are `{ error: { code, message } }` with a fitting
 * status, produced by the one error middleware at the end.
 */
import { randomUUID } from 'node:crypto';
import express, { type NextFunction, type Request, type Response } from 'express';
import { sessionOf } from '../auth/session.js';
import type { ServerContext } from '../context.js';
import { AppError, httpStatusOf, toErrorBody } from '../errors.js';
import { suggestUsername } from '../presence/usernames.js';
import {
  API,
  type GuestCreated,
  type GuestMe,
  type GuestUser,
  type HistoryResponse,
  type OnlineUsersPage,
  type RestError,
  type StatsResponse,
  type TokenRefreshed,
  schemas,
} from '../protocol.js';
import { type SessionRecord, presenceOf } from '../store/types.js';

const BODY_LIMIT = '16kb';

function bearer(req: Request): string | undefined {
  const h = req.headers.authorization;
  return h?.startsWith('Bearer ') ? h.slice(7).trim() : undefined;
}

function guestUser(s: SessionRecord): GuestUser {
  return { id: s.id, username: s.username, createdAt: s.createdAt, expiresAt: s.expiresAt };
}

/** Builds the API router for one server. */
export function apiRouter(ctx: ServerContext): express.Router {
  const r = express.Router();
  r.use(express.json({ limit: BODY_LIMIT, strict: false }));

  /** The caller's live session, or an AppError with the protocol's code. */
  async function session(req: Request): Promise<SessionRecord> {
    const now = ctx.now();
    const check = ctx.tokens.verify(bearer(req), now);
    if (!check.ok) throw new AppError(check.code, check.code === 'token_expired' ? 'token expired' : 'missing or invalid token');
    const s = await sessionOf(ctx, check, now);
    if (!s) throw new AppError('session_not_found', 'session not found or ended');
    return s;
  }

  r.post(API.guest, async (req, res: Response<GuestCreated>) => {
    if (!(await ctx.limits.guestCreate.take(req.ip ?? 'unknown'))) {
      throw new AppError('rate_limited', 'too many guest sessions from this address');
    }
    const body: unknown = req.body === undefined ? {} : req.body;
    const parsed = schemas.guestCreate.safeParse(body);
    if (!parsed.success) {
      const onUsername = parsed.error.issues.some((i) => i.path[0] === 'username');
      if (onUsername) throw new AppError('invalid_username', 'username: 3–24 letters, digits, _, - or inner spaces');
      throw parsed.error;
    }
    const now = ctx.now();
    const s = await ctx.store.createSession({ id: randomUUID(), username: parsed.data.username ?? suggestUsername(), now });
    ctx.metrics.sessionsCreated.inc();
    res.status(201).json({ user: guestUser(s), ...ctx.tokens.issue(s, now) });
  });

  r.get(API.guestUsername, (_req, res: Response<{ username: string }>) => {
    res.json({ username: suggestUsername() });
  });

  r.get(API.guestMe, async (req, res: Response<GuestMe>) => {
    const s = await session(req);
    res.json({ user: guestUser(s), presence: presenceOf(s) });
  });

  r.post(API.guestRefresh, async (req, res: Response<TokenRefreshed>) => {
    const now = ctx.now();
    const check = ctx.tokens.verifyForRefresh(bearer(req), now);
    if (!check.ok) throw new AppError(check.code, 'token cannot be refreshed');
    const s = await sessionOf(ctx, check, now);
    if (!s) throw new AppError('session_not_found', 'session not found or ended');
    res.json(ctx.tokens.issue(s, now));
  });

  r.delete(API.guestMe, async (req, res) => {
    const s = await session(req);
    ctx.dispatch(await ctx.store.endSession(s.id, ctx.now(), 'deleted'));
    res.status(204).end();
  });

  r.get(API.stats, async (_req, res: Response<StatsResponse>) => {
    const now = ctx.now();
    const snap = await ctx.store.stats(now);
    res.json({ stats: snap.stats, timestamp: now, seq: snap.seq, degraded: ctx.degraded() });
  });

  r.get(API.statsHistory, async (req, res: Response<HistoryResponse>) => {
    const q = schemas.historyQuery.parse(req.query);
    const points = await ctx.store.readHistory(ctx.now() - q.minutes * 60_000);
    res.json({ points });
  });

  r.get(API.usersOnline, async (req, res: Response<OnlineUsersPage>) => {
    await session(req);
    const q = schemas.onlineQuery.parse(req.query);
    res.json(await ctx.store.listOnline(q.cursor ?? null, q.limit));
  });

  r.get(API.healthz, (_req, res) => {
    res.json({ status: 'ok' });
  });

  r.get(API.readyz, async (_req, res) => {
    const up = await ctx.store.ping().catch(() => false);
    if (up && !ctx.degraded()) res.json({ status: 'ok' });
    else res.status(503).json({ status: 'degraded', store: 'fallback' });
  });

  r.get(API.metrics, async (_req, res) => {
    res.type(ctx.metrics.registry.contentType).send(await ctx.metrics.registry.metrics());
  });

  return r;
}

/** Unknown API routes and every thrown error become protocol error bodies. */
export function errorHandlers(ctx: ServerContext) {
  const notFound = (req: Request, res: Response<RestError>, next: NextFunction) => {
    if (req.path.startsWith('/api/')) {
      res.status(404).json({ error: { code: 'not_found', message: `no route ${req.method} ${req.path}` } });
    } else next();
  };
  const onError = (err: unknown, _req: Request, res: Response<RestError>, _next: NextFunction) => {
    const type = err && typeof err === 'object' && 'type' in err ? (err as { type: unknown }).type : undefined;
    if (type === 'entity.too.large') {
      res.status(413).json({ error: { code: 'payload_too_large', message: `body over ${BODY_LIMIT}` } });
      return;
    }
    if (type === 'entity.parse.failed' || type === 'charset.unsupported' || type === 'encoding.unsupported') {
      res.status(400).json({ error: { code: 'invalid_payload', message: 'body is not valid JSON' } });
      return;
    }
    const { body, unexpected } = toErrorBody(err);
    if (unexpected) {
      ctx.metrics.storeErrors.inc({ op: 'http' });
      ctx.log.error({ err }, 'request failed');
    }
    res.status(httpStatusOf(body.code)).json({ error: body });
  };
  return { notFound, onError };
}
