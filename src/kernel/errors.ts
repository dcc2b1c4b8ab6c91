// Failures carry a stable code; expected outcomes are returned values (see Result below).
// Every code is listed here once, with its HTTP status and whether a retry can help,
// and documented in docs/errors.md (a test keeps the two in step).

export const ERROR_CODES = {
  validation_failed: { status: 400, retryable: false },
  bad_request: { status: 400, retryable: false },
  payload_too_large: { status: 413, retryable: false },
  unsupported_media_type: { status: 415, retryable: false },
  unauthenticated: { status: 401, retryable: false },
  bearer_token_invalid: { status: 401, retryable: false },
  subscription_key_missing: { status: 401, retryable: false },
  subscription_key_invalid: { status: 401, retryable: false },
  forbidden: { status: 403, retryable: false },
  csrf_invalid: { status: 403, retryable: false },
  not_found: { status: 404, retryable: false },
  request_timeout: { status: 408, retryable: true },
  conflict: { status: 409, retryable: false },
  invalid_state_transition: { status: 409, retryable: false },
  capture_exceeds_authorisation: { status: 409, retryable: false },
  refund_exceeds_capture: { status: 409, retryable: false },
  operation_not_allowed: { status: 409, retryable: false },
  rate_limited: { status: 429, retryable: true },
  headers_too_large: { status: 431, retryable: false },
  internal_error: { status: 500, retryable: true },
  database_unavailable: { status: 503, retryable: true },
  unavailable: { status: 503, retryable: true },
} as const satisfies Record<string, { status: number; retryable: boolean }>;

export type ErrorCode = keyof typeof ERROR_CODES;

export interface VarcoErrorOptions {
  details?: Record<string, unknown>;
  cause?: unknown;
  headers?: Record<string, string>;
  /** The same sentence in Italian, for an Italian page (the message itself is English, for logs and APIs). */
  it?: string;
}

export class VarcoError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly retryable: boolean;
  readonly details: Record<string, unknown> | undefined;
  readonly headers: Record<string, string> | undefined;
  readonly it: string | undefined;

  constructor(code: ErrorCode, message: string, options: VarcoErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'VarcoError';
    this.code = code;
    this.status = ERROR_CODES[code].status;
    this.retryable = ERROR_CODES[code].retryable;
    this.details = options.details;
    this.headers = options.headers;
    this.it = options.it;
  }
}

export function isVarcoError(value: unknown): value is VarcoError {
  return value instanceof VarcoError;
}

/** An expected outcome: either a value or a reason the caller must handle. */
export type Result<T, E extends string = string> = { ok: true; value: T } | { ok: false; reason: E; message?: string };

export function ok<T>(value: T): { ok: true; value: T } {
  return { ok: true, value };
}

export function fail<E extends string>(reason: E, message?: string): { ok: false; reason: E; message?: string } {
  return message === undefined ? { ok: false, reason } : { ok: false, reason, message };
}
