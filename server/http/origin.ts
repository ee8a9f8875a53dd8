/**
 * Which browser origins may open a socket. Non-browser clients (the desktop app's main process,
 * load generators) send no Origin and are allowed; a browser page must be same-origin or listed
 * in CORS_ORIGINS.
 */
import type { IncomingMessage } from 'node:http';

/** True when the request's Origin may connect. */
export function allowOrigin(req: IncomingMessage, allowed: string[] | null): boolean {
  const origin = req.headers.origin;
  if (!origin) return true;
  if (allowed?.includes(origin)) return true;
  try {
    return new URL(origin).host === req.headers.host;
  } catch {
    return false;
  }
}
