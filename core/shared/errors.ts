/**
 * Typed errors. Services and repositories throw these; the error-envelope middleware is the
 * only place that turns them into an answer (QuantConnect envelope, HTTP 200, or 429 for limits).
 */
export type ErrorCategory = 'invalid' | 'not_found' | 'conflict' | 'forbidden' | 'limit' | 'auth';

export class AppError extends Error {
  constructor(
    readonly category: ErrorCategory,
    message: string,
    readonly details: string[] = [message],
    /** Extra wire fields a few failures carry next to `errors` (e.g. `generating` on backtests/read/report). */
    readonly payload?: Record<string, unknown>,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** Bad input: names the field and what is wrong with it. */
export class InvalidError extends AppError {
  constructor(message: string, details?: string[]) {
    super('invalid', message, details);
  }
}

/** Missing, or belonging to another organisation (the two are indistinguishable on purpose). */
export class NotFoundError extends AppError {
  constructor(what: string) {
    super('not_found', `${what} not found`);
  }
}

export class ConflictError extends AppError {
  constructor(message: string) {
    super('conflict', message);
  }
}

/** The caller is known and may see the resource, but lacks the permission to do this. */
export class ForbiddenError extends AppError {
  constructor(message: string) {
    super('forbidden', message);
  }
}

export class LimitExceededError extends AppError {
  constructor(message: string) {
    super('limit', message);
  }
}

/**
 * Authentication failed. lean-cli prints "invalid credentials" only when errors[0] starts with
 * "Hash doesn't match." (contract §1.4), so every authentication failure carries that prefix.
 */
export class AuthError extends AppError {
  constructor(reason: string) {
    super('auth', `Hash doesn't match. ${reason}`);
  }
}
