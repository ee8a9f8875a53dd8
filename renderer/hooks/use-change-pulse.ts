/**
 * A subtle flash when a number changes. Uses the Web Animations API on the element directly, so
 * the change costs no extra React render, and restarts cleanly when ticks come quickly.
 */
import { useEffect, useRef } from 'react';

function reducedMotion(): boolean {
  return typeof matchMedia === 'function' && matchMedia('(prefers-reduced-motion: reduce)').matches;
}

export function useChangePulse<E extends HTMLElement>(value: number | null) {
  const ref = useRef<E>(null);
  const previous = useRef(value);
  useEffect(() => {
    const before = previous.current;
    previous.current = value;
    const el = ref.current;
    if (!el || before === null || value === null || before === value) return;
    el.dataset.trend = value > before ? 'up' : 'down';
    // jsdom and very old engines have no element.animate; the number still updates.
    if (typeof el.animate !== 'function' || reducedMotion()) return;
    el.animate(
      [
        { transform: `translateY(${value > before ? '0.35em' : '-0.35em'})`, opacity: 0.35 },
        { transform: 'translateY(0)', opacity: 1 },
      ],
      { duration: 380, easing: 'cubic-bezier(0.2, 0.8, 0.2, 1)' },
    );
  }, [value]);
  return ref;
}
