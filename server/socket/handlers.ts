/**
 * Socket.IO handlers: every client event is rate-limited, validated and answered with an Ack;
 * the store does the work in one atomic operation and the dispatcher tells the users concerned.
 *
 * The event table is built once per process, and each socket gets a single `onAny` listener:
 * per-socket closures for nine events cost ~5 KB per connection (bench figure 3).
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
  type PublicUser,
  type ServerToClientEvents,
  type SocketData,
  ONLINE_PAGE_DEFAULT,
  schemas,
} from '../protocol.js';
import type { Liveness } from './liveness.js';

export type IoSocket = Socket<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;

/** The success payload of an event's ack. */
type AckPayload<E extends ClientEventName> = Parameters<ClientToServerEvents[E]>[1] extends (res: Ack<infer T>) => void ? T : never;

/** One accepted connection, as the event handlers see it. */
interface Conn {
  ctx: ServerContext;
  socket: IoSocket;
  me: PublicUser;
  connId: string;
  /** resolves once the store registered the connection */
  ready: Promise<void>;
}

interface EventSpec<E extends ClientEventName, S extends z.ZodType = z.ZodType> {
  schema: S;
  run(c: Conn, payload: z.output<S>, now: number): Promise<AckPayload<E>>;
}

const spec = <E extends ClientEventName, S extends z.ZodType>(
  schema: S,
  run: (c: Conn, payload: z.output<S>, now: number) => Promise<AckPayload<E>>,
): EventSpec<E, S> => ({ schema, run });

const EVENTS: { [E in ClientEventName]: EventSpec<E> } = {
  'presence:heartbeat': spec(schemas.heartbeat, async (c, _p, now) => {
    const end = c.ctx.metrics.heartbeatSeconds.startTimer();
    try {
      await c.ctx.store.touch(c.me.id, c.connId, now);
    } finally {
      end();
    }
    return { serverTime: now, heartbeatIntervalMs: c.ctx.config.heartbeatIntervalMs };
  }),
  'presence:online': spec(schemas.online, async (c, p, now) => {
    const r = await c.ctx.store.setOnline(c.me.id, p.isOnline, now);
    c.ctx.dispatch(r);
    return { presence: r.presence };
  }),
  'presence:searching': spec(schemas.searching, async (c, p, now) => {
    const r = await c.ctx.store.setSearching(c.me.id, p.isSearching, now);
    c.ctx.dispatch(r);
    return { presence: r.presence };
  }),
  'chat:message': spec(schemas.chatMessage, async (c, p, now) => {
    if (!(await c.ctx.limits.chat.take(c.me.id))) throw new AppError('rate_limited', 'too many messages');
    const { partner, chatId } = await c.ctx.store.touch(c.me.id, c.connId, now);
    if (!partner || !chatId) throw new AppError('not_in_chat', 'not in a chat');
    const messageId = randomUUID();
    c.ctx.io.to(userRoom(partner.id)).emit('chat:message', { chatId, messageId, from: c.me, text: p.text, sentAt: now });
    return { messageId, sentAt: now };
  }),
  'chat:leave': spec(schemas.chatLeave, async (c, _p, now) => {
    c.ctx.dispatch(await c.ctx.store.leaveChat(c.me.id, now));
    return {};
  }),
  'stats:request': spec(schemas.statsRequest, async (c, _p, now) => {
    const snap = await c.ctx.store.stats(now);
    const update = { stats: snap.stats, timestamp: now, seq: snap.seq };
    c.socket.emit('stats:update', update);
    return update;
  }),
  'users:online:list': spec(schemas.onlineList, async (c, p) => c.ctx.store.listOnline(p.cursor ?? null, p.limit ?? ONLINE_PAGE_DEFAULT)),
  'users:online:subscribe': spec(schemas.onlineSubscribe, async (c) => {
    await c.socket.join(ONLINE_SUBSCRIBERS);
    return c.ctx.store.listOnline(null, ONLINE_PAGE_DEFAULT);
  }),
  'users:online:unsubscribe': spec(schemas.onlineUnsubscribe, async (c) => {
    await c.socket.leave(ONLINE_SUBSCRIBERS);
    return {};
  }),
};

const isKnown = (event: unknown): event is ClientEventName => typeof event === 'string' && Object.hasOwn(EVENTS, event);

/** Answers one client event: rate limit, validation, the store operation, the ack. */
function onEvent(c: Conn, liveness: Liveness, event: unknown, args: unknown[]): void {
  const { ctx } = c;
  const last = args.at(-1);
  const ack = typeof last === 'function' ? (last as (res: Ack<object>) => void) : null;
  if (!isKnown(event)) {
    // Unknown events change nothing; one that asks for an ack is told why.
    ctx.metrics.events.inc({ event: 'unknown', outcome: 'invalid_payload' });
    ack?.({ ok: false, error: { code: 'invalid_payload', message: 'unknown event' } });
    return;
  }
  // Events without an ack callback cannot be answered: they are dropped unprocessed.
  if (!ack) return void ctx.metrics.events.inc({ event, outcome: 'no_ack' });
  const payload = args.length > 1 ? args[0] : undefined;
  const handler = EVENTS[event] as EventSpec<ClientEventName>;
  void (async () => {
    if (!(await ctx.limits.events.take(c.connId))) throw new AppError('rate_limited', 'too many events');
    const parsed = handler.schema.safeParse(payload);
    if (!parsed.success) throw parsed.error;
    await c.ready;
    const now = ctx.now();
    liveness.seen(c.socket, now);
    return handler.run(c, parsed.data, now);
  })().then(
    (result) => {
      ctx.metrics.events.inc({ event, outcome: 'ok' });
      ack({ ok: true, ...(result as object) });
    },
    (err: unknown) => {
      const { body, unexpected } = toErrorBody(err);
      if (unexpected) {
        ctx.metrics.storeErrors.inc({ op: event });
        ctx.log.error({ err, event }, 'event failed');
      }
      ctx.metrics.events.inc({ event, outcome: body.code });
      ack({ ok: false, error: body });
    },
  );
}

/** Registers the connection in the store and greets the client with connection:established. */
async function register(c: Conn): Promise<void> {
  const { ctx, me } = c;
  const now = ctx.now();
  const joined = await ctx.store.connect({ userId: me.id, connId: c.connId, nodeId: ctx.nodeId, now });
  await c.socket.join(userRoom(me.id));
  const snap = await ctx.store.stats(now);
  c.socket.emit('connection:established', {
    user: me,
    presence: joined.presence,
    heartbeatIntervalMs: ctx.config.heartbeatIntervalMs,
    serverTime: now,
    stats: snap.stats,
    seq: snap.seq,
  });
}

/** Removes the connection from the store once it closed. */
async function unregister(c: Conn, reason: string): Promise<void> {
  // A connection the store never registered has nothing to remove.
  if (!(await c.ready.then(() => true, () => false))) return;
  // The client said goodbye (app quit): that takes effect at once, with no leave grace.
  const immediate = reason === 'client namespace disconnect';
  c.ctx.dispatch(await c.ctx.store.disconnect(c.me.id, c.connId, c.ctx.now(), { immediate }));
}

/** Wires one accepted connection: registers it in the store, then serves its events. */
export function serveConnection(ctx: ServerContext, socket: IoSocket, liveness: Liveness): void {
  const { userId, username, connId } = socket.data;
  const c: Conn = { ctx, socket, me: { id: userId, username }, connId, ready: Promise.resolve() };
  liveness.seen(socket, ctx.now());
  ctx.metrics.connections.inc();
  c.ready = register(c);
  c.ready.catch((err: unknown) => {
    ctx.log.warn({ err, userId }, 'connection refused after handshake');
    socket.disconnect(true);
  });
  socket.onAny((event: unknown, ...args: unknown[]) => onEvent(c, liveness, event, args));
  socket.on('disconnect', (reason) => {
    ctx.metrics.connections.dec();
    liveness.forget(socket);
    unregister(c, reason).catch((err: unknown) => {
      ctx.metrics.storeErrors.inc({ op: 'disconnect' });
      ctx.log.error({ err, userId }, 'disconnect not recorded');
    });
  });
}
