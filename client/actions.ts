/**
 * The UI's actions (ClientActions minus the session ones), each one typed request plus the
 * reducer that applies its answer. Failures are thrown as ClientError.
 */
import type { ClientEventName, OnlineUsersPage, OnlineUsersUpdate } from '../server/protocol.js';
import { appendSending, settleSending } from './chat.js';
import type { OkOf, PayloadOf } from './connection.js';
import { ClientError, toClientError } from './errors.js';
import { appendOnlinePage, mergeOnlineUpdate } from './online.js';
import { applyPresence, endChat } from './snapshot.js';
import type { ClientSnapshot } from './types.js';

/** What the actions need from PresenceClient. */
export interface ActionHost {
  request<E extends ClientEventName>(event: E, payload: PayloadOf<E>): Promise<OkOf<E>>;
  update(reduce: (s: ClientSnapshot) => ClientSnapshot): void;
  snapshot(): ClientSnapshot;
  now(): number;
}

/** The UI actions over the current connection, each applying its answer to the snapshot. */
export class PresenceActions {
  private localIds = 0;
  /** seq of the last online-users diff applied; reset by every (re)subscribe */
  private onlineSeq: number | null = null;

  constructor(private readonly host: ActionHost) {}

  /** `presence:online`: show me (true) or hide me (false). */
  async setVisible(visible: boolean): Promise<void> {
    const ack = await this.host.request('presence:online', { isOnline: visible });
    this.host.update((s) => applyPresence(s, ack.presence, this.host.now()));
  }

  /** `presence:searching` true: enter the match queue. */
  async search(): Promise<void> {
    await this.searching(true);
  }

  /** `presence:searching` false: leave the match queue. */
  async cancelSearch(): Promise<void> {
    await this.searching(false);
  }

  private async searching(isSearching: boolean): Promise<void> {
    const ack = await this.host.request('presence:searching', { isSearching });
    this.host.update((s) => applyPresence(s, ack.presence, this.host.now()));
  }

  /** `chat:message`: shown at once as `sending`, then `sent` (server id and time) or `failed`. */
  async sendMessage(text: string): Promise<void> {
    const s = this.host.snapshot();
    if (s.match.status !== 'chatting' || !s.me) throw new ClientError('not_in_chat', 'not in a chat');
    const trimmed = text.trim();
    if (trimmed === '') throw new ClientError('invalid_payload', 'empty message');
    const localId = `local-${++this.localIds}`;
    const own = { localId, chatId: s.match.chatId, from: s.me.user, text: trimmed, at: this.host.now() };
    this.host.update((x) => ({ ...x, chat: appendSending(x.chat, own) }));
    try {
      const ack = await this.host.request('chat:message', { text: trimmed });
      const outcome = { state: 'sent', messageId: ack.messageId, sentAt: ack.sentAt } as const;
      this.host.update((x) => ({ ...x, chat: settleSending(x.chat, localId, outcome) }));
    } catch (err) {
      this.host.update((x) => ({ ...x, chat: settleSending(x.chat, localId, { state: 'failed' }) }));
      throw toClientError(err);
    }
  }

  /** `chat:leave`: ends the chat for both. */
  async leaveChat(): Promise<void> {
    await this.host.request('chat:leave', {});
    this.host.update((s) => endChat(s, 'left'));
  }

  /** `users:online:subscribe`: the first page now, diffs after. */
  async subscribeOnline(): Promise<void> {
    const page = await this.host.request('users:online:subscribe', {});
    this.onlineSeq = null;
    this.host.update((s) => ({ ...s, online: { subscribed: true, users: page.users, nextCursor: page.nextCursor } }));
  }

  /** `users:online:unsubscribe`. */
  async unsubscribeOnline(): Promise<void> {
    await this.host.request('users:online:unsubscribe', {});
    this.host.update((s) => ({ ...s, online: { ...s.online, subscribed: false } }));
  }

  /** `users:online:list`: the next page (the first when nothing is listed yet), appended. */
  async loadMoreOnline(): Promise<OnlineUsersPage> {
    const { users, nextCursor } = this.host.snapshot().online;
    if (users.length > 0 && nextCursor === null) return { users: [], nextCursor: null };
    const page = await this.host.request('users:online:list', nextCursor ? { cursor: nextCursor } : {});
    this.host.update((s) => ({
      ...s,
      online: { ...s.online, users: appendOnlinePage(s.online.users, page), nextCursor: page.nextCursor },
    }));
    return { users: page.users, nextCursor: page.nextCursor };
  }

  /** Applies a `users:online:update` diff while subscribed; older diffs are ignored. */
  applyOnlineUpdate(update: OnlineUsersUpdate): void {
    if (!this.host.snapshot().online.subscribed) return;
    if (this.onlineSeq !== null && update.seq <= this.onlineSeq) return;
    this.onlineSeq = update.seq;
    this.host.update((s) => ({ ...s, online: { ...s.online, users: mergeOnlineUpdate(s.online.users, update) } }));
  }
}
