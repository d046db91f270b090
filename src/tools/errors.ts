/**
 * Two kinds of failure, because they call for opposite handling:
 * a BusinessError means the request itself cannot succeed (never retried, told to the user plainly);
 * a SystemError means the legacy system misbehaved (retried with backoff, counted for recovery).
 */
export type BusinessErrorCode =
  | 'not_found'
  | 'invalid_input'
  | 'not_eligible'
  | 'conflict'
  | 'stale_state'
  /** Data scope (tools/scope.ts ScopeDenied): the caller may not see or change this data. */
  | 'out_of_scope';

export class BusinessError extends Error {
  override readonly name = 'BusinessError';
  constructor(
    readonly code: BusinessErrorCode,
    /** Safe to show to the user as is (no personal data). */
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

export type SystemErrorCode =
  | 'unavailable'
  | 'timeout'
  | 'session_expired'
  | 'unexpected_page'
  | 'circuit_open';

export class SystemError extends Error {
  override readonly name = 'SystemError';
  constructor(
    readonly code: SystemErrorCode,
    readonly system: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export function isBusinessError(e: unknown): e is BusinessError {
  return e instanceof BusinessError;
}

export function isSystemError(e: unknown): e is SystemError {
  return e instanceof SystemError;
}
