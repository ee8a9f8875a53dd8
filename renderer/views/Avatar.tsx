/** A round initials avatar whose colour is derived from the user id (stable across views). */
import type { CSSProperties } from 'react';
import { hueFor, initialsOf } from '../format.js';

export function Avatar({ id, username, size = 'md' }: { id: string; username: string; size?: 'sm' | 'md' | 'lg' }) {
  // The hue goes in as a CSS variable so each theme picks its own lightness for it.
  const style = { '--hue': String(hueFor(id)) } as CSSProperties;
  return (
    <span className={`avatar avatar--${size}`} style={style} aria-hidden="true">
      {initialsOf(username)}
    </span>
  );
}
