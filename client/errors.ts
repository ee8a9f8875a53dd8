/** Errors PresenceClient surfaces: always a ClientError carrying one of the protocol's codes. */
import { CONNECT_ERROR_CODES, ERROR_CODES, type ConnectErrorCode, type ErrorCode } from '../server/protocol.js';

/** A failure PresenceClient reports: a protocol error code, plus the HTTP status for REST. */
export class ClientError extends Error {
  override name = 'ClientError';

  constructor(
    readonly code: ErrorCode,
    message: string,
    /** the HTTP status for REST failures */
    readonly status: number | null = null,
  ) {
    super(message);
  }
}

/** True when `value` is one of the protocol's error codes. */
export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && (ERROR_CODES as readonly string[]).includes(value);
}

/** Wraps anything thrown into a ClientError (`unavailable` for network and timeout failures). */
export function toClientError(err: unknown): ClientError {
  if (err instanceof ClientError) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new ClientError('unavailable', message);
}

/** The refusal code of a socket.io `connect_error`, or null for transport failures. */
export function connectErrorCode(err: { message: string; data?: unknown }): ConnectErrorCode | null {
  const data: unknown = err.data;
  const fromData =
    typeof data === 'object' && data !== null && 'code' in data ? (data as { code: unknown }).code : undefined;
  for (const candidate of [fromData, err.message]) {
    if ((CONNECT_ERROR_CODES as readonly unknown[]).includes(candidate)) return candidate as ConnectErrorCode;
  }
  return null;
}
