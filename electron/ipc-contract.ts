/**
 * The IPC contract between the main process and the renderer: every channel name, the argument
 * shape of every action, and the result envelope. No electron import, so both ipc.ts (main) and
 * tests use it; preload.cts repeats the names inline (a sandboxed preload cannot require local
 * files) and `satisfies IpcChannels` makes tsc reject any drift between the two.
 */
import { z } from 'zod';
import { ERROR_CODES, HISTORY_MINUTES_MAX, MESSAGE_MAX } from '../server/protocol.js';
import type { ErrorCode } from '../server/protocol.js';
import type { ClientActions } from '../client/types.js';

/** One name per request channel (renderer → main) plus the pushed snapshot channel. */
export const IPC_CHANNELS = {
  getSnapshot: 'herenow:get-snapshot',
  snapshot: 'herenow:snapshot',
  setVisible: 'herenow:set-visible',
  search: 'herenow:search',
  cancelSearch: 'herenow:cancel-search',
  sendMessage: 'herenow:send-message',
  leaveChat: 'herenow:leave-chat',
  loadMoreOnline: 'herenow:load-more-online',
  subscribeOnline: 'herenow:subscribe-online',
  unsubscribeOnline: 'herenow:unsubscribe-online',
  refreshHistory: 'herenow:refresh-history',
  startOver: 'herenow:start-over',
} as const satisfies Record<keyof ClientActions | 'getSnapshot' | 'snapshot', `herenow:${string}`>;
export type IpcChannels = typeof IPC_CHANNELS;

export type ActionName = keyof ClientActions;
export type ActionArgs<K extends ActionName> = Parameters<ClientActions[K]>;
export type ActionValue<K extends ActionName> = Awaited<ReturnType<ClientActions[K]>>;

/**
 * Runtime shapes of each action's arguments. The sender is already checked, but a renderer is
 * still the least trusted process: a compromised page must not be able to feed the client junk.
 */
export const ACTION_ARGS = {
  setVisible: z.tuple([z.boolean()]),
  search: z.tuple([]),
  cancelSearch: z.tuple([]),
  sendMessage: z.tuple([z.string().max(MESSAGE_MAX * 4)]),
  leaveChat: z.tuple([]),
  loadMoreOnline: z.tuple([]),
  subscribeOnline: z.tuple([]),
  unsubscribeOnline: z.tuple([]),
  refreshHistory: z.union([
    z.tuple([]),
    z.tuple([z.number().int().min(1).max(HISTORY_MINUTES_MAX).optional()]),
  ]),
  startOver: z.tuple([]),
} as const satisfies { [K in ActionName]: z.ZodType<ActionArgs<K>> };

export const ACTION_NAMES = Object.keys(ACTION_ARGS) as ActionName[];

/** What crosses IPC for a failed action: the ClientError's code and message. */
export interface IpcError {
  code: ErrorCode;
  message: string;
}

/** Every action answers a value, never a thrown error: Electron flattens thrown errors. */
export type IpcResult<T> = { ok: true; value: T } | { ok: false; error: IpcError };

const KNOWN_CODES: ReadonlySet<string> = new Set(ERROR_CODES);

/**
 * Turns anything an action threw into `{ code, message }`. A ClientError's protocol code and
 * message pass through (matched by shape, so this module need not load the client); anything
 * else becomes `internal` with a generic message, so main-process internals stay out of the page.
 */
export function toIpcError(err: unknown): IpcError {
  if (err instanceof z.ZodError) return { code: 'invalid_payload', message: 'invalid arguments' };
  if (typeof err === 'object' && err !== null && 'code' in err && isProtocolErrorCode(err.code)) {
    const message = 'message' in err && typeof err.message === 'string' ? err.message : err.code;
    return { code: err.code, message };
  }
  return { code: 'internal', message: 'unexpected error in the app' };
}

function isProtocolErrorCode(code: unknown): code is ErrorCode {
  return typeof code === 'string' && KNOWN_CODES.has(code);
}

/**
 * The page a trusted sender may show: our own renderer, served from `app://herenow/` or from the
 * dev server's origin. Compared by scheme + host (+ port) because WHATWG gives custom schemes an
 * opaque `null` origin.
 */
export function isTrustedRendererUrl(url: string, rendererUrl: string): boolean {
  let page: URL;
  let ours: URL;
  try {
    page = new URL(url);
    ours = new URL(rendererUrl);
  } catch {
    return false;
  }
  return page.protocol === ours.protocol && page.host === ours.host && page.username === '';
}
