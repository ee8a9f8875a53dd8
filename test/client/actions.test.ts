/** The UI's actions against the real server: visibility, matching, chat, errors. */
import { afterEach, describe, expect, it } from 'vitest';
import { ClientError } from '../../client/errors.js';
import { cleanup, connectedClient, restOf, startServer, waitFor } from './support/harness.js';

afterEach(cleanup);

describe('actions', () => {
  it('setVisible hides and shows me', async () => {
    const server = await startServer();
    const a = await connectedClient(server.url);
    await a.client.setVisible(false);
    expect(a.client.getSnapshot().me?.presence.isOnline).toBe(false);
    expect((await restOf(server.url).stats()).stats.onlineUsers).toBe(0);
    await a.client.setVisible(true);
    expect(a.client.getSnapshot().me?.presence.isOnline).toBe(true);
    expect((await restOf(server.url).stats()).stats.onlineUsers).toBe(1);
  });

  it('search → match → chat both ways → leave', async () => {
    const server = await startServer();
    const a = await connectedClient(server.url);
    const b = await connectedClient(server.url);
    await a.client.search();
    expect(a.client.getSnapshot().match.status).toBe('searching');
    await b.client.search();
    await waitFor('both chatting', () =>
      a.client.getSnapshot().match.status === 'chatting' && b.client.getSnapshot().match.status === 'chatting',
    );
    const ma = a.client.getSnapshot().match;
    const mb = b.client.getSnapshot().match;
    if (ma.status !== 'chatting' || mb.status !== 'chatting') throw new Error('not chatting');
    expect(ma.chatId).toBe(mb.chatId);
    expect(ma.partner.id).toBe(b.client.getSnapshot().me?.user.id);

    const sending = a.client.sendMessage('  hello there  ');
    expect(a.client.getSnapshot().chat.at(-1)).toMatchObject({ text: 'hello there', mine: true, state: 'sending' });
    await sending;
    const mine = a.client.getSnapshot().chat.at(-1);
    expect(mine).toMatchObject({ text: 'hello there', mine: true, state: 'sent', chatId: ma.chatId });
    expect(mine?.id).not.toMatch(/^local-/);
    await waitFor('B got it', () => b.client.getSnapshot().chat.length === 1);
    expect(b.client.getSnapshot().chat[0]).toMatchObject({ id: mine?.id, text: 'hello there', mine: false, from: a.client.getSnapshot().me?.user });

    await expect(a.client.search()).rejects.toMatchObject({ code: 'already_in_chat' });
    await b.client.leaveChat();
    expect(b.client.getSnapshot().match).toMatchObject({ status: 'idle', lastEnded: { reason: 'left' } });
    await waitFor('A told', () => a.client.getSnapshot().match.status === 'idle');
    expect(a.client.getSnapshot().match).toEqual({ status: 'idle', lastEnded: { reason: 'partner_left', partner: b.client.getSnapshot().me?.user } });
  });

  it('cancelSearch leaves the queue', async () => {
    const server = await startServer();
    const a = await connectedClient(server.url);
    await a.client.search();
    expect((await restOf(server.url).stats()).stats.availableUsers).toBe(1);
    await a.client.cancelSearch();
    expect(a.client.getSnapshot().match).toEqual({ status: 'idle', lastEnded: null });
    expect((await restOf(server.url).stats()).stats.availableUsers).toBe(0);
  });

  it('errors are ClientErrors with the protocol code; a failed send is marked failed', async () => {
    const server = await startServer();
    const a = await connectedClient(server.url);
    const notInChat = await a.client.sendMessage('hi').catch((e: unknown) => e);
    expect(notInChat).toBeInstanceOf(ClientError);
    expect(notInChat).toMatchObject({ code: 'not_in_chat' });
    await expect(a.client.leaveChat()).rejects.toMatchObject({ code: 'not_in_chat' });

    const b = await connectedClient(server.url);
    await a.client.search();
    await b.client.search();
    await waitFor('chatting', () => a.client.getSnapshot().match.status === 'chatting');
    await expect(a.client.sendMessage('x'.repeat(2_001))).rejects.toMatchObject({ code: 'invalid_payload' });
    expect(a.client.getSnapshot().chat.at(-1)).toMatchObject({ mine: true, state: 'failed' });

    await a.client.stop();
    await expect(a.client.setVisible(true)).rejects.toMatchObject({ code: 'unavailable' });
  });
});
