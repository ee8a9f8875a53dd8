/**
 * The REST half of the protocol (PROTOCOL.md "REST"), over `fetch` only so it runs in Node and in
 * a browser. Every failure is thrown as a ClientError: the server's code and HTTP status when it
 * answered, `unavailable` when it could not be reached or did not answer in time.
 */
import {
  API,
  type GuestCreated,
  type GuestMe,
  type HistoryResponse,
  type StatsResponse,
  type TokenRefreshed,
} from '../server/protocol.js';
import { ClientError, isErrorCode } from './errors.js';

export type FetchFn = typeof globalThis.fetch;

export interface ApiOptions {
  serverUrl: string;
  fetch?: FetchFn;
  /** per request; default 10 s */
  timeoutMs?: number;
}

interface Request {
  method: 'GET' | 'POST' | 'DELETE';
  path: string;
  token?: string;
  body?: unknown;
}

/** Typed calls to the presence server's REST routes. */
export class PresenceApi {
  private readonly base: string;
  private readonly fetchFn: FetchFn;
  private readonly timeoutMs: number;

  constructor(options: ApiOptions) {
    this.base = options.serverUrl.replace(/\/+$/, '');
    this.fetchFn = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
    this.timeoutMs = options.timeoutMs ?? 10_000;
  }

  /** POST /api/guest: a new guest session (the server generates a name when none is given). */
  createGuest(username?: string): Promise<GuestCreated> {
    return this.call<GuestCreated>({ method: 'POST', path: API.guest, body: username ? { username } : {} });
  }

  /** POST /api/guest/refresh with the (possibly expired) token. */
  refresh(token: string): Promise<TokenRefreshed> {
    return this.call<TokenRefreshed>({ method: 'POST', path: API.guestRefresh, token });
  }

  /** DELETE /api/guest/me: ends the session; the server disconnects its sockets. */
  async deleteMe(token: string): Promise<void> {
    await this.call<null>({ method: 'DELETE', path: API.guestMe, token });
  }

  /** GET /api/guest/me. */
  me(token: string): Promise<GuestMe> {
    return this.call<GuestMe>({ method: 'GET', path: API.guestMe, token });
  }

  /** GET /api/stats. */
  stats(): Promise<StatsResponse> {
    return this.call<StatsResponse>({ method: 'GET', path: API.stats });
  }

  /** GET /api/stats/history?minutes=N. */
  history(minutes: number): Promise<HistoryResponse> {
    return this.call<HistoryResponse>({ method: 'GET', path: `${API.statsHistory}?minutes=${Math.round(minutes)}` });
  }

  private async call<T>(req: Request): Promise<T> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (req.token) headers.authorization = `Bearer ${req.token}`;
    if (req.body !== undefined) headers['content-type'] = 'application/json';
    let res: Response;
    try {
      res = await this.fetchFn(`${this.base}${req.path}`, {
        method: req.method,
        headers,
        body: req.body === undefined ? undefined : JSON.stringify(req.body),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (err) {
      throw new ClientError('unavailable', `${req.method} ${req.path}: ${err instanceof Error ? err.message : String(err)}`);
    }
    const text = await res.text().catch(() => '');
    const json = parseJson(text);
    if (!res.ok) throw restError(req, res.status, json);
    return json as T;
  }
}

function parseJson(text: string): unknown {
  if (text === '') return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return null;
  }
}

function restError(req: Request, status: number, json: unknown): ClientError {
  const error = typeof json === 'object' && json !== null && 'error' in json ? (json as { error: unknown }).error : null;
  const code = typeof error === 'object' && error !== null && 'code' in error ? (error as { code: unknown }).code : null;
  const message =
    typeof error === 'object' && error !== null && 'message' in error ? String((error as { message: unknown }).message) : '';
  const fallback = status === 401 ? 'unauthorized' : status === 429 ? 'rate_limited' : status >= 500 ? 'unavailable' : 'internal';
  return new ClientError(isErrorCode(code) ? code : fallback, `${req.method} ${req.path} → ${status} ${message}`.trim(), status);
}
