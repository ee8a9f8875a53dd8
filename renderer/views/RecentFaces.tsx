/** A few faces of who came online lately, so the lobby feels like a place with people in it. */
import { useMemo } from 'react';
import { formatCount } from '../format.js';
import { useApp } from '../store/react.js';
import { Avatar } from './Avatar.js';

const FACES = 5;

export function RecentFaces() {
  const recent = useApp((s) => s.stats?.recent ?? null);
  const meId = useApp((s) => s.me?.user.id ?? null);
  const online = useApp((s) => s.stats?.stats.onlineUsers ?? 0);
  const others = useMemo(() => (recent ?? []).filter((u) => u.id !== meId), [recent, meId]);
  const first = others[0];
  if (!first) return null;
  // The recent list holds at most 20; the online count tells how many others there really are.
  const total = Math.max(others.length, online - (meId ? 1 : 0));
  const rest = total - 1;
  const caption =
    rest <= 0 ? `${first.username} is here now` : `${first.username} and ${formatCount(rest)} ${rest === 1 ? 'other' : 'others'} are here now`;
  return (
    <div className="faces" aria-label={caption} role="img">
      <span className="faces__stack" aria-hidden="true">
        {others.slice(0, FACES).map((u) => (
          <Avatar key={u.id} id={u.id} username={u.username} size="sm" />
        ))}
      </span>
      <span className="faces__caption" aria-hidden="true">
        {caption}
      </span>
    </div>
  );
}
