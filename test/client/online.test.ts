import { describe, expect, it } from 'vitest';
import { appendOnlinePage, mergeOnlineUpdate } from '../../client/online.js';
import type { OnlineUser } from '../../server/protocol.js';
import { online } from './support/fixtures.js';

const ids = (users: OnlineUser[]) => users.map((u) => `${u.id}:${u.status}`);

describe('mergeOnlineUpdate', () => {
  const list = [online('a'), online('b', 'searching'), online('c')];

  const fixtures: { name: string; joined: OnlineUser[]; left: string[]; expected: string[] }[] = [
    { name: 'nothing changes', joined: [], left: [], expected: ['a:online', 'b:searching', 'c:online'] },
    { name: 'a new user is appended', joined: [online('d')], left: [], expected: ['a:online', 'b:searching', 'c:online', 'd:online'] },
    { name: 'joined replaces by id, in place', joined: [online('b', 'chatting')], left: [], expected: ['a:online', 'b:chatting', 'c:online'] },
    { name: 'left removes', joined: [], left: ['a', 'c'], expected: ['b:searching'] },
    { name: 'an unknown id in left is ignored', joined: [], left: ['zz'], expected: ['a:online', 'b:searching', 'c:online'] },
    { name: 'a user joined twice in one diff appears once (last wins)', joined: [online('d'), online('d', 'searching')], left: [], expected: ['a:online', 'b:searching', 'c:online', 'd:searching'] },
    { name: 'joins apply before leaves', joined: [online('d'), online('a', 'chatting')], left: ['d', 'a'], expected: ['b:searching', 'c:online'] },
  ];

  for (const f of fixtures) {
    it(f.name, () => {
      expect(ids(mergeOnlineUpdate(list, { joined: f.joined, left: f.left }))).toEqual(f.expected);
    });
  }

  it('does not touch its input', () => {
    const copy = structuredClone(list);
    mergeOnlineUpdate(list, { joined: [online('b', 'chatting'), online('z')], left: ['a'] });
    expect(list).toEqual(copy);
  });

  it('returns the same array for an empty diff', () => {
    expect(mergeOnlineUpdate(list, { joined: [], left: [] })).toBe(list);
  });
});

describe('appendOnlinePage', () => {
  it('appends the next page without repeating users already listed', () => {
    const page1 = [online('a'), online('b')];
    const merged = appendOnlinePage(page1, { users: [online('b', 'chatting'), online('c')] });
    expect(ids(merged)).toEqual(['a:online', 'b:chatting', 'c:online']);
  });
});
