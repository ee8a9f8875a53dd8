/**
 * Hostile input: over 10,000 random and structurally malformed payloads across every client
 * event and REST route. The server never crashes, state never changes, and every invalid
 * payload is answered with an error code.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLIENT_EVENTS, type ClientEventName, type StatsResponse, schemas } from '../../server/protocol.js';
import { type Harness, getJson, rawEmit, until } from '../support/server.js';
import { harnessOn, storeKinds } from '../support/stores.js';

const EVENT_SCHEMA: Record<ClientEventName, { safeParse(v: unknown): { success: boolean } }> = {
  'presence:heartbeat': schemas.heartbeat,
  'presence:online': schemas.online,
  'presence:searching': schemas.searching,
  'chat:message': schemas.chatMessage,
  'chat:leave': schemas.chatLeave,
  'stats:request': schemas.statsRequest,
  'users:online:list': schemas.onlineList,
  'users:online:subscribe': schemas.onlineSubscribe,
  'users:online:unsubscribe': schemas.onlineUnsubscribe,
};

/** Deeply nested arrays/objects, beyond any sane depth. */
const deep = fc.integer({ min: 50, max: 400 }).map((n) => {
  let v: unknown = 'x';
  for (let i = 0; i < n; i++) v = i % 2 ? [v] : { a: v };
  return v;
});
const weirdStrings = fc.constantFrom(
  '', ' ', '\u0000', '\uFEFF', '\uD800', '\u202E', 'é'.normalize('NFD'), '👩‍👩‍👧‍👦'.repeat(300),
  'x'.repeat(9_000), '<script>alert(1)</script>', '{"isOnline":true}', 'null', 'NaN',
);
const polluting = fc.constantFrom(
  '{"__proto__":{"polluted":true}}',
  '{"constructor":{"prototype":{"polluted":true}}}',
  '{"isOnline":true,"__proto__":{"isOnline":false}}',
  '{"text":"hi","__proto__":{"text":"x"}}',
).map((s) => JSON.parse(s) as unknown);
const wrongTypes = fc.oneof(
  fc.record({ isOnline: fc.anything() }),
  fc.record({ isSearching: fc.anything() }),
  fc.record({ text: fc.oneof(fc.integer(), fc.boolean(), fc.array(fc.string()), weirdStrings) }),
  fc.record({ cursor: fc.anything(), limit: fc.oneof(fc.double(), fc.string(), fc.integer({ min: -1e9, max: 1e9 })) }),
);
/** What the server will see: JSON-serialised, except binary (sent as attachments). */
function onWire(p: unknown): unknown {
  if (Buffer.isBuffer(p) || p === undefined) return p;
  const text = JSON.stringify(p);
  return text === undefined ? undefined : (JSON.parse(text) as unknown);
}

const payload = fc.oneof(
  { weight: 4, arbitrary: fc.anything({ withBigInt: false, withTypedArray: true, maxDepth: 4 }) },
  { weight: 3, arbitrary: wrongTypes },
  { weight: 1, arbitrary: weirdStrings },
  { weight: 1, arbitrary: deep },
  { weight: 1, arbitrary: polluting },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 512 }).map((a) => Buffer.from(a)) },
);

for (const kind of storeKinds()) {
  describe(`Fuzz (${kind.name} store)`, () => {
    let h: Harness;
    beforeAll(async () => {
      h = await harnessOn(kind, { eventsPerSecond: 1_000_000, staleTimeoutMs: 60_000, heartbeatIntervalMs: 30_000 });
    });
    afterAll(async () => {
      expect(h.violations).toEqual([]);
      await h.close();
      await kind.teardown();
    });

    it('answers 10,000+ hostile socket payloads with error codes and changes nothing', async () => {
      const a = await h.user('fuzzer');
      const b = await h.user('partner');
      const before = (await getJson<StatsResponse>(h.url, '/api/stats')).body.stats;
      const meBefore = await getJson<{ presence: object }>(h.url, '/api/guest/me', a.guest.token);
      const samples = fc.sample(fc.tuple(fc.constantFrom(...CLIENT_EVENTS), payload), { numRuns: 9_500, seed: 20261130 });
      let answered = 0;
      for (let i = 0; i < samples.length; i += 250) {
        const batch = samples.slice(i, i + 250).filter(([event, p]) => !EVENT_SCHEMA[event].safeParse(onWire(p)).success);
        const acks = await Promise.all(batch.map(([event, p]) => rawEmit(a.socket, event, p)));
        for (const ack of acks) {
          expect(ack).toMatchObject({ ok: false, error: { code: expect.any(String), message: expect.any(String) } });
          answered++;
        }
      }
      expect(answered).toBeGreaterThan(9_000);
      // Unknown event names with random payloads.
      const names = fc.sample(fc.string({ maxLength: 40 }).filter((s) => !(CLIENT_EVENTS as readonly string[]).includes(s) && !/^(connect|disconnect)/.test(s)), { numRuns: 300, seed: 7 });
      const unknown = await Promise.all(names.map((n) => rawEmit(a.socket, n, {})));
      for (const ack of unknown) expect(ack).toMatchObject({ ok: false, error: { code: 'invalid_payload' } });
      expect((await getJson<StatsResponse>(h.url, '/api/stats')).body.stats).toEqual(before);
      expect((await getJson<{ presence: object }>(h.url, '/api/guest/me', a.guest.token)).body.presence).toEqual(meBefore.body.presence);
      expect(a.socket.connected && b.socket.connected).toBe(true);
      expect((globalThis as Record<string, unknown>).polluted).toBeUndefined();
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    });

    it('refuses oversized frames at the transport and keeps serving others', async () => {
      const big = await h.user('bigsender');
      const other = await h.user('bystander');
      const gone = new Promise<string>((resolve) => big.socket.once('disconnect', resolve));
      big.socket.emit('chat:message', { text: 'x'.repeat(200_000) }, () => undefined);
      expect(await gone).toBe('transport close');
      expect(await rawEmit(other.socket, 'presence:heartbeat', {})).toMatchObject({ ok: true });
      await until(async () => (await getJson<StatsResponse>(h.url, '/api/stats')).body.stats.onlineUsers === 3);
    });

    it('answers 1,500 hostile REST requests with JSON errors and creates nothing', async () => {
      const { guest } = await h.user('restfuzz');
      const before = (await getJson<StatsResponse>(h.url, '/api/stats')).body.stats;
      const bodies = fc.sample(payload, { numRuns: 600, seed: 11 }).filter((p) => !schemas.guestCreate.safeParse(onWire(p) ?? {}).success);
      const raw = fc.sample(fc.oneof(fc.string({ maxLength: 200 }), fc.constantFrom('{', '[', '{"username":', '\u0000', '{"a":1}{"b":2}')), { numRuns: 300, seed: 12 }).filter((t) => {
        try {
          return !schemas.guestCreate.safeParse(t.trim() ? JSON.parse(t) : {}).success;
        } catch {
          return true;
        }
      });
      const queries = fc.sample(fc.dictionary(fc.constantFrom('minutes', 'limit', 'cursor', '__proto__', 'x'), fc.string({ maxLength: 30 })), { numRuns: 300, seed: 13 });
      const tokens = fc.sample(fc.oneof(fc.string({ maxLength: 300 }), fc.constant(`${guest.token.split('.').slice(0, 2).join('.')}.forged`)), { numRuns: 300, seed: 14 });
      const requests: (() => Promise<Response>)[] = [];
      for (const body of bodies) {
        const text = JSON.stringify(body) ?? 'undefined';
        requests.push(() => fetch(`${h.url}/api/guest`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: text }));
      }
      for (const text of raw) requests.push(() => fetch(`${h.url}/api/guest`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: text }));
      for (const q of queries) {
        const qs = new URLSearchParams(q as Record<string, string>).toString();
        requests.push(() => fetch(`${h.url}/api/stats/history?${qs}`));
        requests.push(() => fetch(`${h.url}/api/users/online?${qs}`, { headers: { authorization: `Bearer ${guest.token}` } }));
      }
      for (const t of tokens) {
        const safe = t.replace(/[^\x20-\x7e]/g, '?');
        requests.push(() => fetch(`${h.url}/api/guest/me`, { method: 'DELETE', headers: { authorization: `Bearer ${safe}` } }));
      }
      let checked = 0;
      for (let i = 0; i < requests.length; i += 100) {
        for (const res of await Promise.all(requests.slice(i, i + 100).map((r) => r()))) {
          const text = await res.text();
          if (res.status === 200) continue; // a query that happened to be valid
          expect(res.status).toBeGreaterThanOrEqual(400);
          expect(JSON.parse(text)).toMatchObject({ error: { code: expect.any(String), message: expect.any(String) } });
          checked++;
        }
      }
      expect(checked).toBeGreaterThan(1_200);
      expect((await getJson<StatsResponse>(h.url, '/api/stats')).body.stats).toEqual(before);
      expect((await getJson(h.url, '/healthz')).status).toBe(200);
    });
  });
}
