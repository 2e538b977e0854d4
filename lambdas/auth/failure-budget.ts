import { AuthError } from '../../core/shared/errors';

/**
 * A budget of failed authentications per subject (a source address, a user or key id): `burst`
 * failures at once, refilled at `perMinute`. A subject that spent it is refused without its
 * credentials being checked until it refills, so guessing tokens or hashes costs time and no
 * table reads. Kept in memory: one budget per local server, one per authorizer instance.
 */
export class AuthThrottledError extends AuthError {
  constructor(readonly retryAfterSeconds: number) {
    super(`Too many failed authentication attempts from this address or for this user; retry in ${retryAfterSeconds} s.`);
  }
}

interface Spent {
  tokens: number;
  at: number;
}

export class FailureBudget {
  private readonly subjects = new Map<string, Spent>();

  constructor(
    private readonly burst: number,
    private readonly perMinute: number,
    private readonly maxSubjects = 50_000,
  ) {}

  /** Throws AuthThrottledError when any of `subjects` has no failure left. */
  check(subjects: readonly string[], now = Date.now()): void {
    const wait = this.wait(subjects, now);
    if (wait > 0) throw new AuthThrottledError(wait);
  }

  /**
   * One failure, charged to every subject; true when it was beyond the budget. Failures verified
   * in parallel all pass `check`, so those found over budget here are answered as refused too.
   */
  charge(subjects: readonly string[], now = Date.now()): boolean {
    if (this.burst <= 0) return false;
    const over = this.wait(subjects, now) > 0;
    for (const subject of subjects) {
      const tokens = this.left(subject, now) - 1;
      this.subjects.delete(subject);
      if (this.subjects.size >= this.maxSubjects) this.subjects.delete(this.subjects.keys().next().value as string);
      this.subjects.set(subject, { tokens: Math.max(tokens, -this.burst), at: now });
    }
    return over;
  }

  /** Seconds until every one of `subjects` may fail once more; 0: now. */
  wait(subjects: readonly string[], now = Date.now()): number {
    if (this.burst <= 0) return 0;
    let wait = 0;
    for (const subject of subjects) {
      const left = this.left(subject, now);
      if (left < 1) wait = Math.max(wait, Math.ceil(((1 - left) * 60) / this.perMinute));
    }
    return wait;
  }

  private left(subject: string, now: number): number {
    const spent = this.subjects.get(subject);
    if (!spent) return this.burst;
    const tokens = Math.min(this.burst, spent.tokens + ((now - spent.at) / 60_000) * this.perMinute);
    if (tokens >= this.burst) this.subjects.delete(subject);
    return tokens;
  }
}
