/**
 * Errors are exceptions inside and values at the edges. This is the one place that turns an
 * exception into a protocol error (an ack's `error`, a REST body and status).
 */
import { ZodError } from 'zod';
import type { ErrorBody, ErrorCode } from './protocol.js';
import { StoreError } from './store/types.js';

/** An error that carries its protocol code. */
export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string = code,
  ) {
    super(message);
    this.name = 'AppError';
  }
}

const HTTP_STATUS: Record<ErrorCode, number> = {
  invalid_payload: 400,
  invalid_username: 400,
  unauthorized: 401,
  token_expired: 401,
  session_not_found: 401,
  rate_limited: 429,
  not_searching: 409,
  not_in_chat: 409,
  already_in_chat: 409,
  payload_too_large: 413,
  unavailable: 503,
  internal: 500,
  not_found: 404,
};

/** The HTTP status for an error code. */
export function httpStatusOf(code: ErrorCode): number {
  return HTTP_STATUS[code];
}

/** Maps any thrown value to a protocol error body; `unexpected` is true for bugs and outages. */
export function toErrorBody(err: unknown): { body: ErrorBody; unexpected: boolean } {
  if (err instanceof AppError) return { body: { code: err.code, message: err.message }, unexpected: false };
  if (err instanceof StoreError) {
    return { body: { code: err.code, message: err.message }, unexpected: err.code === 'unavailable' };
  }
  if (err instanceof ZodError) {
    const first = err.issues[0];
    const where = first?.path.length ? `${first.path.join('.')}: ` : '';
    return { body: { code: 'invalid_payload', message: `${where}${first?.message ?? 'invalid payload'}` }, unexpected: false };
  }
  return { body: { code: 'internal', message: 'internal error' }, unexpected: true };
}
