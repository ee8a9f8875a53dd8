/**
 * Pure merging of the online-users list: pages append, `users:online:update` diffs apply
 * (Phoenix Presence's syncDiff: joins first, then leaves). `joined` carries users who came
 * online or whose status changed, so it replaces by id; `left` removes by id.
 */
import type { OnlineUser, OnlineUsersPage, OnlineUsersUpdate } from '../server/protocol.js';

/** Applies one diff; existing users keep their position, new ones go to the end. */
export function mergeOnlineUpdate(users: OnlineUser[], diff: Pick<OnlineUsersUpdate, 'joined' | 'left'>): OnlineUser[] {
  if (diff.joined.length === 0 && diff.left.length === 0) return users;
  const byId = new Map<string, OnlineUser>(users.map((u) => [u.id, u]));
  const order = users.map((u) => u.id);
  for (const u of diff.joined) {
    if (!byId.has(u.id)) order.push(u.id);
    byId.set(u.id, u);
  }
  for (const id of diff.left) byId.delete(id);
  const seen = new Set<string>();
  return order.flatMap((id) => {
    const u = byId.get(id);
    if (!u || seen.has(id)) return [];
    seen.add(id);
    return [u];
  });
}

/** Appends the next page; users already listed are replaced in place, not repeated. */
export function appendOnlinePage(users: OnlineUser[], page: Pick<OnlineUsersPage, 'users'>): OnlineUser[] {
  return mergeOnlineUpdate(users, { joined: page.users, left: [] });
}

