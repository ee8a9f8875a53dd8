/**
 * The rendered width of an element, kept current with ResizeObserver. The chart draws in real
 * pixels with it, so its labels stay 11 px on a phone instead of shrinking with a scaled viewBox.
 */
import { useEffect, useRef, useState } from 'react';

export function useElementWidth<E extends HTMLElement>(fallback: number) {
  const ref = useRef<E>(null);
  const [width, setWidth] = useState(fallback);
  useEffect(() => {
    const el = ref.current;
    // No ResizeObserver (jsdom): keep the fallback width, the drawing is still correct.
    if (!el || typeof ResizeObserver !== 'function') return;
    const observer = new ResizeObserver(([entry]) => {
      const w = Math.round(entry?.contentRect.width ?? 0);
      if (w > 0) setWidth(w);
    });
    observer.observe(el);
    return () => observer.disconnect();
  }, []);
  return [ref, width] as const;
}
