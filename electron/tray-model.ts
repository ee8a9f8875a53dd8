/**
 * What the tray shows, derived from a ClientSnapshot by pure functions: the compact count, the
 * tooltip, the menu's state. tray.ts only applies a TrayView; tests check the words here.
 */
import type { ClientSnapshot } from '../client/types.js';

/**
 * A count short enough for a 16 px icon or a menu-bar title: 999, 1.2k, 12k, 999k, then 999k+.
 * Rounds down so the tray never claims more people than are here (1999 → 1.9k, not 2.0k).
 */
export function formatCount(n: number): string {
  const count = Math.max(0, Math.floor(n));
  if (count < 1_000) return String(count);
  if (count < 10_000) {
    const tenths = Math.floor(count / 100) / 10;
    return `${Number.isInteger(tenths) ? tenths.toFixed(0) : tenths.toFixed(1)}k`;
  }
  if (count < 1_000_000) return `${Math.floor(count / 1_000)}k`;
  return '999k+';
}

export type TrayMenuAction = 'show' | 'toggleVisible' | 'quit';

export interface TrayView {
  /** the online count to draw, or null while we have no numbers (not connected yet) */
  count: number | null;
  tooltip: string;
  /** the macOS menu-bar title next to the icon */
  title: string;
  /** the label of the visibility item: what clicking it will do */
  visibilityLabel: 'Go online' | 'Hide me';
  /** the visibility item only makes sense with a session on a live connection */
  visibilityEnabled: boolean;
}

const grouped = new Intl.NumberFormat('en-US');

/** Derives the tray's view from a snapshot. */
export function trayView(snapshot: ClientSnapshot): TrayView {
  const connected = snapshot.connection.status === 'connected';
  const count = snapshot.stats && connected ? snapshot.stats.stats.onlineUsers : null;
  const visible = snapshot.me?.presence.isOnline ?? true;
  return {
    count,
    tooltip: count === null ? `HereNow — ${connectionWords(snapshot)}` : `${grouped.format(count)} online`,
    title: count === null ? '' : formatCount(count),
    visibilityLabel: visible ? 'Hide me' : 'Go online',
    visibilityEnabled: connected && snapshot.me !== null,
  };
}

function connectionWords(snapshot: ClientSnapshot): string {
  switch (snapshot.connection.status) {
    case 'idle':
    case 'connecting':
    case 'connected':
      return 'connecting…';
    case 'reconnecting':
      return 'reconnecting…';
    case 'paused':
      return 'paused';
    case 'offline':
      return 'offline';
  }
}

/** True when two views would draw the same tray (so the icon is not re-rendered). */
export function sameTrayView(a: TrayView | null, b: TrayView): boolean {
  return (
    a !== null &&
    a.count === b.count &&
    a.tooltip === b.tooltip &&
    a.title === b.title &&
    a.visibilityLabel === b.visibilityLabel &&
    a.visibilityEnabled === b.visibilityEnabled
  );
}
