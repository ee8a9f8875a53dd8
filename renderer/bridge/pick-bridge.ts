/** One build, two doors: the desktop preload's Bridge when present, else PresenceClient in the page. */
import type { Bridge } from '../../client/types.js';

export async function pickBridge(win: Window = window): Promise<Bridge> {
  if (win.herenow) return win.herenow;
  const { startBrowserBridge } = await import('./browser-client.js');
  return startBrowserBridge(win.location.origin);
}
