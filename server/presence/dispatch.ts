/**
 * Turns what a store operation changed into messages to users. Users are addressed by the room
 * `user:<id>`, so with the Redis adapter a message reaches the user's sockets on any node.
 */
import type { Server } from 'socket.io';
import type { ClientToServerEvents, InterServerEvents, ServerToClientEvents, SocketData } from '../protocol.js';
import type { Change } from '../store/types.js';

export type IoServer = Server<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;

/** The room holding every socket of one user. */
export const userRoom = (userId: string) => `user:${userId}`;
/** The room of sockets subscribed to online-user diffs. */
export const ONLINE_SUBSCRIBERS = 'online-subscribers';

export type Dispatch = (change: Change) => void;

/** Builds the dispatcher for one Socket.IO server. */
export function createDispatch(io: IoServer): Dispatch {
  return (change) => {
    for (const e of change.events) {
      switch (e.type) {
        case 'matched': {
          const [a, b] = e.users;
          io.to(userRoom(a.id)).emit('presence:connected', { chatId: e.chatId, partner: b, reason: 'matched' });
          io.to(userRoom(b.id)).emit('presence:connected', { chatId: e.chatId, partner: a, reason: 'matched' });
          break;
        }
        case 'chat_ended':
          io.to(userRoom(e.userId)).emit('presence:connected', { chatId: e.chatId, partner: null, reason: e.reason });
          break;
        case 'session_ended':
          io.to(userRoom(e.userId)).emit('session:ended', { reason: e.reason });
          io.in(userRoom(e.userId)).disconnectSockets(true);
          break;
      }
    }
  };
}
