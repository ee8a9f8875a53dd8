/**
 * Socket.IO handlers: every client event is rate-limited, validated and answered with an Ack;
 * the store does the work in one atomic operation and the dispatcher tells the users concerned.
 */
import { randomUUID } from 'node:crypto';
import type { Socket } from 'socket.io';
import type { z } from 'zod';
import type { ServerContext } from '../context.js';
import { AppError, toErrorBody } from '../errors.js';
import { ONLINE_SUBSCRIBERS, userRoom } from '../presence/dispatch.js';
import {
  type Ack,
  type ClientEventName,
  type ClientToServerEvents,
  type ServerToClientEvents,
  type SocketData,
  CLIENT_EVENTS,
  ONLINE_PAGE_DEFAULT,
  schemas,
} from '../protocol.js';
import type { Liveness } from './liveness.js';

export type IoSocket = Socket<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;

/** The success payload of an event's ack. */
type AckPayload<E extends ClientEventName> = Parameters<ClientToServerEvents[E]>[1] extends (res: Ack<infer T>) => void ? T : never;

type RawListener = (...args: unknown[]) => void;

/** Wires one accepted connection: registers it in the store, then serves its events. */
export function serveConnection(ctx: ServerContext, socket: IoSocket, liveness: Liveness): void {
  const { userId, username, connId } = socket.data;
  const me = { id: userId, username };
  liveness.seen(socket, ctx.now());
  ctx.metrics.connections.inc();

  const ready = (async () => {
    const now = ctx.now();
    const joined = await ctx.store.connect({ userId, connId, nodeId: ctx.nodeId, now });
    await socket.join(userRoom(userId));
    const snap = await ctx.store.stats(now);
    socket.emit('connection:established', {
      user: me,
      presence: joined.presence,
      heartbeatIntervalMs: ctx.config.heartbeatIntervalMs,
      serverTime: now,
      stats: snap.stats,
      seq: snap.seq,
    });
  })();
  ready.catch((err: unknown) => {
    ctx.log.warn({ err, userId }, 'connection refused after handshake');
    socket.disconnect(true);
  });

  /** Registers `event` with validation by `schema`; `run` returns the ack's success payload. */
  function handle<E extends ClientEventName, S extends z.ZodType>(
    event: E,
    schema: S,
    run: (payload: z.output<S>, now: number) => Promise<AckPayload<E>>,
  ): void {
    const listener: RawListener = (...args) => {
      const ack = typeof args.at(-1) === 'function' ? (args.at(-1) as (res: Ack<AckPayload<E>>) => void) : null;
      // Events without an ack callback cannot be answered: they are dropped unprocessed.
      if (!ack) return void ctx.metrics.events.inc({ event, outcome: 'no_ack' });
      const payload = args.length > 1 ? args[0] : undefined;
      const reply = (res: Ack<AckPayload<E>>) => {
        ctx.metrics.events.inc({ event, outcome: res.ok ? 'ok' : res.error.code });
        ack(res);
      };
      void (async () => {
        if (!(await ctx.limits.events.take(connId))) throw new AppError('rate_limited', 'too many events');
        const parsed = schema.safeParse(payload);
        if (!parsed.success) throw parsed.error;
        await ready;
        const now = ctx.now();
        liveness.seen(socket, now);
        return run(parsed.data, now);
      })().then(
        (result) => reply({ ok: true, ...(result as object) } as Ack<AckPayload<E>>),
        (err: unknown) => {
          const { body, unexpected } = toErrorBody(err);
          if (unexpected) {
            ctx.metrics.storeErrors.inc({ op: event });
            ctx.log.error({ err, event }, 'event failed');
          }
          reply({ ok: false, error: body });
        },
      );
    };
    (socket as unknown as { on(event: string, l: RawListener): void }).on(event, listener);
  }

  handle('presence:heartbeat', schemas.heartbeat, async (_p, now) => {
    const end = ctx.metrics.heartbeatSeconds.startTimer();
    try {
      await ctx.store.touch(userId, connId, now);
    } finally {
      end();
    }
    return { serverTime: now, heartbeatIntervalMs: ctx.config.heartbeatIntervalMs };
  });

  handle('presence:online', schemas.online, async (p, now) => {
    const r = await ctx.store.setOnline(userId, p.isOnline, now);
    ctx.dispatch(r);
    return { presence: r.presence };
  });

  handle('presence:searching', schemas.searching, async (p, now) => {
    const r = await ctx.store.setSearching(userId, p.isSearching, now);
    ctx.dispatch(r);
    return { presence: r.presence };
  });

  handle('chat:message', schemas.chatMessage, async (p, now) => {
    if (!(await ctx.limits.chat.take(userId))) throw new AppError('rate_limited', 'too many messages');
    const { partner, chatId } = await ctx.store.touch(userId, connId, now);
    if (!partner || !chatId) throw new AppError('not_in_chat', 'not in a chat');
    const messageId = randomUUID();
    ctx.io.to(userRoom(partner.id)).emit('chat:message', { chatId, messageId, from: me, text: p.text, sentAt: now });
    return { messageId, sentAt: now };
  });

  handle('chat:leave', schemas.chatLeave, async (_p, now) => {
    ctx.dispatch(await ctx.store.leaveChat(userId, now));
    return {};
  });

  handle('stats:request', schemas.statsRequest, async (_p, now) => {
    const snap = await ctx.store.stats(now);
    const update = { stats: snap.stats, timestamp: now, seq: snap.seq };
    socket.emit('stats:update', update);
    return update;
  });

  handle('users:online:list', schemas.onlineList, async (p) =>
    ctx.store.listOnline(p.cursor ?? null, p.limit ?? ONLINE_PAGE_DEFAULT),
  );

  handle('users:online:subscribe', schemas.onlineSubscribe, async () => {
    await socket.join(ONLINE_SUBSCRIBERS);
    return ctx.store.listOnline(null, ONLINE_PAGE_DEFAULT);
  });

  handle('users:online:unsubscribe', schemas.onlineUnsubscribe, async () => {
    await socket.leave(ONLINE_SUBSCRIBERS);
    return {};
  });

  // Unknown events change nothing; one that asks for an ack is told why.
  const known = new Set<string>(CLIENT_EVENTS);
  socket.onAny((event: unknown, ...args: unknown[]) => {
    const ack = args.at(-1);
    if (typeof event === 'string' && known.has(event)) return;
    ctx.metrics.events.inc({ event: 'unknown', outcome: 'invalid_payload' });
    if (typeof ack === 'function') ack({ ok: false, error: { code: 'invalid_payload', message: 'unknown event' } });
  });

  socket.on('disconnect', (reason) => {
    // The client said goodbye (app quit): that takes effect at once, with no leave grace.
    const immediate = reason === 'client namespace disconnect';
    ctx.metrics.connections.dec();
    liveness.forget(socket);
    void (async () => {
      // A connection the store never registered has nothing to remove.
      if (!(await ready.then(() => true, () => false))) return;
      ctx.dispatch(await ctx.store.disconnect(userId, connId, ctx.now(), { immediate }));
    })().catch((err: unknown) => {
      ctx.metrics.storeErrors.inc({ op: 'disconnect' });
      ctx.log.error({ err, userId }, 'disconnect not recorded');
    });
  });
}
