/**
 * Password login for admin chats (ADMIN_PASSWORD): a login lasts a while, wrong passwords in a row
 * lock the chat for a while. The state is stored, so a restart neither logs admins out nor lifts a
 * lockout.
 */
import { sameSecret } from '../secrets.js';
import type { DeliveryRoute } from '../delivery.js';
import type { AdminLoginState, AdminLoginStore } from '../ports.js';

/** How strict logins are. */
export interface LoginPolicy {
  /** Wrong passwords in a row that lock the chat. */
  maxFailures: number;
  lockMinutes: number;
  /** How long a login lasts. */
  loginHours: number;
}

export const DEFAULT_LOGIN_POLICY: LoginPolicy = { maxFailures: 5, lockMinutes: 15, loginHours: 12 };

/** What a /login attempt came to. */
export type LoginOutcome =
  | { kind: 'logged-in'; until: Date }
  | { kind: 'wrong-password'; failures: number; attemptsLeft: number }
  /** This attempt was the last one allowed: the chat is locked from now. */
  | { kind: 'locked-now'; until: Date }
  /** The chat was already locked; the password was not even compared. */
  | { kind: 'locked'; until: Date };

const EMPTY: AdminLoginState = { loggedInUntil: null, failedAttempts: 0, lockedUntil: null };

function later(now: Date, minutes: number): Date {
  return new Date(now.getTime() + minutes * 60_000);
}

/** Password login of admin chats. Callers serialise calls per chat (the console does). */
export class AdminLoginGate {
  private readonly policy: LoginPolicy;

  constructor(
    private readonly password: string,
    private readonly logins: AdminLoginStore,
    policy: Partial<LoginPolicy> = {},
  ) {
    this.policy = { ...DEFAULT_LOGIN_POLICY, ...policy };
  }

  /** The end of the chat's login, or undefined when it is not logged in at `now`. */
  async loggedInUntil(route: DeliveryRoute, now: Date): Promise<Date | undefined> {
    const state = await this.logins.get(route);
    if (!state?.loggedInUntil) return undefined;
    const until = new Date(state.loggedInUntil);
    return until > now ? until : undefined;
  }

  async login(route: DeliveryRoute, userId: string, attempt: string, now: Date): Promise<LoginOutcome> {
    const stored = (await this.logins.get(route)) ?? EMPTY;
    const lockedUntil = stored.lockedUntil ? new Date(stored.lockedUntil) : undefined;
    if (lockedUntil && lockedUntil > now) return { kind: 'locked', until: lockedUntil };
    // A lapsed lockout starts the count afresh.
    const failuresBefore = lockedUntil ? 0 : stored.failedAttempts;

    if (sameSecret(attempt, this.password)) {
      const until = later(now, this.policy.loginHours * 60);
      await this.logins.put(route, userId, { loggedInUntil: until.toISOString(), failedAttempts: 0, lockedUntil: null }, now);
      return { kind: 'logged-in', until };
    }
    const failures = failuresBefore + 1;
    if (failures >= this.policy.maxFailures) {
      const until = later(now, this.policy.lockMinutes);
      // A lockout also ends any login the chat had: someone is guessing in it.
      await this.logins.put(route, userId, { loggedInUntil: null, failedAttempts: failures, lockedUntil: until.toISOString() }, now);
      return { kind: 'locked-now', until };
    }
    await this.logins.put(route, userId, { ...stored, failedAttempts: failures, lockedUntil: null }, now);
    return { kind: 'wrong-password', failures, attemptsLeft: this.policy.maxFailures - failures };
  }

  async logout(route: DeliveryRoute, userId: string, now: Date): Promise<void> {
    const stored = (await this.logins.get(route)) ?? EMPTY;
    await this.logins.put(route, userId, { ...stored, loggedInUntil: null }, now);
  }

  get maxFailures(): number {
    return this.policy.maxFailures;
  }

  get loginHours(): number {
    return this.policy.loginHours;
  }
}
