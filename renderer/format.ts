/** Locale-aware formatting, with the Intl objects built once (they are costly to create). */

const countFormat = new Intl.NumberFormat(undefined, { maximumFractionDigits: 0 });
const compactFormat = new Intl.NumberFormat(undefined, { notation: 'compact', maximumFractionDigits: 1 });
const clockFormat = new Intl.DateTimeFormat(undefined, { hour: 'numeric', minute: '2-digit' });

/** 12345 → "12,345" (in the user's locale). */
export function formatCount(n: number): string {
  return countFormat.format(n);
}

/** 12345 → "12K": for axis labels where space is short. */
export function formatCompact(n: number): string {
  return compactFormat.format(n);
}

/** A time of day, e.g. "14:05". */
export function formatClock(t: number): string {
  return clockFormat.format(t);
}

/** How long since `since`, briefly: "just now", "4 min", "2 h", "3 d". */
export function formatSince(since: number, now: number): string {
  const s = Math.max(0, Math.floor((now - since) / 1000));
  if (s < 60) return 'just now';
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h} h`;
  return `${Math.floor(h / 24)} d`;
}

/** A stable hue for a user id, so the same person keeps the same avatar colour everywhere. */
export function hueFor(id: string): number {
  let h = 0;
  for (let i = 0; i < id.length; i++) h = (h * 31 + id.charCodeAt(i)) >>> 0;
  return h % 360;
}

/** Up to two initials from a username: "quiet_fox" → "QF", "MellowMoose70" → "MM", "Ana" → "AN". */
export function initialsOf(username: string): string {
  // Generated names are CamelCase; hand-picked ones use spaces, "_" or "-" between words.
  const words = username
    .replace(/([\p{Ll}\p{N}])(\p{Lu})/gu, '$1 $2')
    .split(/[\s_-]+/)
    .filter((w) => /[\p{L}\p{N}]/u.test(w));
  const [first, second] = words;
  const letters = first && second ? `${first[0] ?? ''}${second[0] ?? ''}` : username.slice(0, 2);
  return letters.toUpperCase();
}
