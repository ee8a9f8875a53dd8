/** Pure functions over the chat entries of a snapshot: incoming messages and my own sends. */
import type { ChatMessage, PublicUser } from '../server/protocol.js';
import type { ChatEntry } from './types.js';

/** The most entries a snapshot keeps (older ones drop off the front). */
export const CHAT_MAX = 500;

/** Appends a message from the partner; a repeated messageId changes nothing. */
export function appendIncoming(chat: ChatEntry[], msg: ChatMessage, max = CHAT_MAX): ChatEntry[] {
  if (chat.some((e) => e.id === msg.messageId)) return chat;
  const entry: ChatEntry = {
    id: msg.messageId,
    chatId: msg.chatId,
    from: msg.from,
    text: msg.text,
    sentAt: msg.sentAt,
    mine: false,
    state: 'sent',
  };
  return bounded([...chat, entry], max);
}

/** Appends my message in state `sending` under a local id. */
export function appendSending(
  chat: ChatEntry[],
  own: { localId: string; chatId: string; from: PublicUser; text: string; at: number },
  max = CHAT_MAX,
): ChatEntry[] {
  const entry: ChatEntry = {
    id: own.localId,
    chatId: own.chatId,
    from: own.from,
    text: own.text,
    sentAt: own.at,
    mine: true,
    state: 'sending',
  };
  return bounded([...chat, entry], max);
}

/** Marks my message sent (taking the server's id and time) or failed. */
export function settleSending(
  chat: ChatEntry[],
  localId: string,
  outcome: { state: 'sent'; messageId: string; sentAt: number } | { state: 'failed' },
): ChatEntry[] {
  const i = chat.findIndex((e) => e.id === localId && e.mine && e.state === 'sending');
  const entry = chat[i];
  if (!entry) return chat;
  const next =
    outcome.state === 'sent'
      ? { ...entry, id: outcome.messageId, sentAt: outcome.sentAt, state: 'sent' as const }
      : { ...entry, state: 'failed' as const };
  return [...chat.slice(0, i), next, ...chat.slice(i + 1)];
}

function bounded(chat: ChatEntry[], max: number): ChatEntry[] {
  return chat.length > max ? chat.slice(chat.length - max) : chat;
}
