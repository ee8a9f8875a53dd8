/** Turns a failed Bridge call into one sentence a person can act on. */
import { ERROR_CODES, type ErrorCode } from '../../server/protocol.js';

const MESSAGES: Partial<Record<ErrorCode, string>> = {
  rate_limited: 'Easy there — too many actions at once. Try again in a moment.',
  unavailable: 'The server is busy right now. Try again in a moment.',
  not_in_chat: 'That chat has already ended.',
  already_in_chat: 'You are already in a chat.',
  not_searching: 'You were no longer searching.',
  payload_too_large: 'That message is too long.',
  invalid_payload: 'That message could not be sent.',
  session_not_found: 'Your guest session has ended.',
  unauthorized: 'Your guest session is no longer valid.',
};

function codeOf(err: unknown): ErrorCode | null {
  if (typeof err !== 'object' || err === null || !('code' in err)) return null;
  const code: unknown = err.code;
  return (ERROR_CODES as readonly unknown[]).includes(code) ? (code as ErrorCode) : null;
}

/** The user-facing text for an error thrown by a Bridge action (ClientError carries a `code`). */
export function describeError(err: unknown): string {
  const code = codeOf(err);
  const known = code ? MESSAGES[code] : undefined;
  if (known) return known;
  // The desktop preload rejects with a plain `{ code, message }` (an Error would lose its code
  // crossing the context bridge), so read `message` from any object, not only from Errors.
  if (typeof err === 'object' && err !== null && 'message' in err && typeof err.message === 'string' && err.message) {
    return err.message;
  }
  return 'Something went wrong. Please try again.';
}
