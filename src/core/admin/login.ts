/**
 * Password login for admin chats (ADMIN_PASSWORD): a login lasts a while, wrong passwords in a row
 * lock the chat for a while. The state is stored, so a restart neither logs admins out nor lifts a
 * lockout.
 *
 * The login also guards what is pushed to admin chats (the agenda, new-booking and other alerts, all
 * naming patients): an alert goes out only to chats logged in when it is raised; for the others it is
 * held until their next login, which releases it after its reply.
 */
import { KeyedLock } from '../keyedLock.js';
import { sameSecret } from '../secrets.js';
import type { DeliveryRoute, StoredMessage } from '../delivery.js';
import type { AdminLoginState, AdminLoginStore, HeldAdminAlertStore, PushOptions } from '../ports.js';
import { loginWithHeldAlerts, planRelease, type ReleasePlan } from './heldAlerts.js';

/** How strict logins are. */
export interface LoginPolicy {
  /** Wrong passwords in a row that lock the chat. */
  maxFailures: number;
  lockMinutes: number;
  /** How long a login lasts. */
  loginHours: number;
  /** Alerts held for a chat longer than this are dropped instead of released at its login. */
  heldAlertHours: number;
  /** At most this many held alerts (the most recent) are released at a login. */
  maxReleasedAlerts: number;
}

export const DEFAULT_LOGIN_POLICY: LoginPolicy = { maxFailures: 5, lockMinutes: 15, loginHours: 12, heldAlertHours: 24, maxReleasedAlerts: 30 };

/** What became of the alerts held for a chat that just logged in. */
export interface ReleasedAlerts {
  /** Written after the login reply. */
  released: number;
  /** Dropped as older than {@link LoginPolicy.heldAlertHours}. */
  stale: number;
  /** Left out beyond {@link LoginPolicy.maxReleasedAlerts}. */
  notShown: number;
}

/** What a /login attempt came to. */
export type LoginOutcome =
  /**
   * With `heldAlerts`, alerts had been held for the chat: the login reply, a summary and the alerts
   * are already in the chat's outbox, in that order.
   */
  | { kind: 'logged-in'; until: Date; heldAlerts?: ReleasedAlerts }
  | { kind: 'wrong-password'; failures: number; attemptsLeft: number }
  /** This attempt was the last one allowed: the chat is locked from now. */
  | { kind: 'locked-now'; until: Date }
  /** The chat was already locked; the password was not even compared. */
  | { kind: 'locked'; until: Date };

const EMPTY: AdminLoginState = { loggedInUntil: null, failedAttempts: 0, lockedUntil: null };

function later(now: Date, minutes: number): Date {
  return new Date(now.getTime() + minutes * 60_000);
}

function chatKey(route: DeliveryRoute): string {
  return `${route.channel}:${route.chatId}`;
}

/** What became of an alert for one admin chat. */
export type AlertDelivery = 'pushed' | 'held' | 'duplicate';

/**
 * Password login of admin chats, and the gate for alerts pushed to them. Logins, logouts and alert
 * deliveries of one chat take turns, so an alert raised during a login is either held and released by
 * it or pushed after it, never left held for a logged-in chat.
 */
export class AdminLoginGate {
  private readonly policy: LoginPolicy;
  private readonly chats = new KeyedLock();

  /** @param held where alerts wait for chats that are not logged in; without it alerts are not gated here */
  constructor(
    private readonly password: string,
    private readonly logins: AdminLoginStore,
    policy: Partial<LoginPolicy> = {},
    private readonly held?: HeldAdminAlertStore,
  ) {
    this.policy = { ...DEFAULT_LOGIN_POLICY, ...policy };
  }

  /** The end of the chat's login, or undefined when it is not logged in (or is locked) at `now`. */
  async loggedInUntil(route: DeliveryRoute, now: Date): Promise<Date | undefined> {
    const state = await this.logins.get(route);
    if (!state?.loggedInUntil) return undefined;
    // A locked chat is never logged in, whatever an older row still says.
    if (state.lockedUntil && new Date(state.lockedUntil) > now) return undefined;
    const until = new Date(state.loggedInUntil);
    return until > now ? until : undefined;
  }

  /**
   * Delivers an alert to one admin chat: `push` writes it to the chat's outbox when the chat is logged
   * in at `now`; otherwise it is held for the chat's next login (the dedupe key is spent either way).
   */
  async deliverAlert(route: DeliveryRoute, text: string, now: Date, options: PushOptions, push: () => Promise<boolean>): Promise<AlertDelivery> {
    return this.chats.run(chatKey(route), async () => {
      if (!this.held || (await this.loggedInUntil(route, now))) return (await push()) ? 'pushed' : 'duplicate';
      const forgetBefore = later(now, -this.policy.heldAlertHours * 60);
      const held = await this.held.hold(route, text, now, { ...(options.dedupeKey !== undefined ? { dedupeKey: options.dedupeKey } : {}), forgetBefore });
      return held ? 'held' : 'duplicate';
    });
  }

  /**
   * A /login attempt. On success, when alerts were held for the chat and `loginReply` is given, the
   * reply (made from the login's end), a summary and the recent held alerts are written to the chat's
   * outbox in one go (see {@link LoginOutcome}).
   */
  async login(route: DeliveryRoute, userId: string, attempt: string, now: Date, loginReply?: (until: Date) => string): Promise<LoginOutcome> {
    return this.chats.run(chatKey(route), async () => {
      const outcome = await this.attempt(route, userId, attempt, now);
      if (outcome.kind !== 'logged-in' || !this.held || !loginReply) return outcome;
      const heldAlerts = await this.release(this.held, route, now, loginReply(outcome.until));
      return heldAlerts ? { ...outcome, heldAlerts } : outcome;
    });
  }

  /** Writes the login reply and the chat's held alerts; undefined when none were held. */
  private async release(held: HeldAdminAlertStore, route: DeliveryRoute, now: Date, loginReply: string): Promise<ReleasedAlerts | undefined> {
    const limits = { maxAgeHours: this.policy.heldAlertHours, maxReleased: this.policy.maxReleasedAlerts };
    // Called only when alerts were held, inside the store's transaction.
    const made: { plan?: ReleasePlan } = {};
    await held.release(route, now, (alerts): StoredMessage[] => {
      made.plan = planRelease(alerts, now, limits);
      return loginWithHeldAlerts(loginReply, made.plan, limits);
    });
    const { plan } = made;
    return plan && { released: plan.released.length, stale: plan.stale, notShown: plan.notShown };
  }

  private async attempt(route: DeliveryRoute, userId: string, attempt: string, now: Date): Promise<LoginOutcome> {
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
    await this.chats.run(chatKey(route), async () => {
      const stored = (await this.logins.get(route)) ?? EMPTY;
      await this.logins.put(route, userId, { ...stored, loggedInUntil: null }, now);
    });
  }

  get maxFailures(): number {
    return this.policy.maxFailures;
  }

  get loginHours(): number {
    return this.policy.loginHours;
  }
}
