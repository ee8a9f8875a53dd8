/**
 * The one place where Redis outcomes become StoreErrors: the scripts' negative return codes
 * (numbered in scripts/lib/presence.lua) and the client's connection failures.
 */
import { ErrorReply } from 'redis';
import { StoreError, type StoreErrorCode } from '../types.js';

const SCRIPT_ERRORS: Readonly<Record<number, StoreErrorCode>> = {
  [-1]: 'session_not_found',
  [-2]: 'already_in_chat',
  [-3]: 'not_in_chat',
  [-4]: 'not_searching',
};

const MESSAGES: Readonly<Record<StoreErrorCode, string>> = {
  session_not_found: 'session not found or expired',
  already_in_chat: 'already in a chat',
  not_in_chat: 'not in a chat',
  not_searching: 'not in the match queue',
  unavailable: 'the presence store is unavailable',
};

/** A script's negative return code as the StoreError it stands for. */
export function scriptError(code: number): Error {
  const mapped = SCRIPT_ERRORS[code];
  return mapped ? new StoreError(mapped, MESSAGES[mapped]) : new Error(`unknown script result code ${code}`);
}

// Error replies that mean "Redis cannot serve right now", not "the script is wrong".
const UNAVAILABLE_REPLIES = /^(CLUSTERDOWN|LOADING|TRYAGAIN|MASTERDOWN|READONLY|BUSY|NOREPLICAS|MOVED|ASK)\b/;

/**
 * A failed call as the error callers should see: connection loss, timeouts, a closed or
 * reconnecting client and a Redis that cannot serve become StoreError 'unavailable'; any other
 * error reply (a script bug) stays as it is, an internal error.
 */
export function redisFailure(err: unknown): Error {
  if (err instanceof StoreError) return err;
  if (err instanceof ErrorReply && !UNAVAILABLE_REPLIES.test(err.message)) return err;
  const detail = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  return new StoreError('unavailable', `${MESSAGES.unavailable} (${detail})`);
}
