/**
 * What a chat gets, after its login reply, of the admin alerts held for it while it was logged out:
 * only recent ones (a day-old "new booking" is history, and /today shows the present), and not so
 * many that a chat away for long is flooded. Both limits are said, so nothing is dropped silently.
 */
import type { StoredMessage } from '../delivery.js';
import type { HeldAdminAlert } from '../ports.js';

/** How much of what was held is released at login. */
export interface HeldAlertLimits {
  /** Alerts held longer than this are dropped at release. */
  maxAgeHours: number;
  /** At most this many (the most recent) are released. */
  maxReleased: number;
}

/** What one release comes to. */
export interface ReleasePlan {
  /** Sent after the login reply, oldest first. */
  released: HeldAdminAlert[];
  /** Dropped for being older than {@link HeldAlertLimits.maxAgeHours}. */
  stale: number;
  /** Recent enough but beyond {@link HeldAlertLimits.maxReleased}: the earliest ones. */
  notShown: number;
}

function plural(count: number, one: string, many: string): string {
  return `${count} ${count === 1 ? one : many}`;
}

/** Which of the held alerts (oldest first) are released at `now`. */
export function planRelease(held: readonly HeldAdminAlert[], now: Date, limits: HeldAlertLimits): ReleasePlan {
  const cutoff = now.getTime() - limits.maxAgeHours * 3_600_000;
  const recent = held.filter((alert) => new Date(alert.heldAt).getTime() >= cutoff);
  const released = limits.maxReleased > 0 ? recent.slice(-limits.maxReleased) : [];
  return { released, stale: held.length - recent.length, notShown: recent.length - released.length };
}

/** The line before the released alerts: how many there are, and how many were left out and why. */
export function releaseSummary(plan: ReleasePlan, limits: HeldAlertLimits): string {
  const parts = [
    plan.released.length > 0
      ? `While you were logged out: ${plural(plan.released.length, 'alert', 'alerts')}, oldest first.`
      : 'While you were logged out:',
  ];
  if (plan.notShown > 0) parts.push(`${plural(plan.notShown, 'earlier alert is', 'earlier alerts are')} not shown.`);
  if (plan.stale > 0) {
    parts.push(`${plural(plan.stale, 'alert', 'alerts')} older than ${limits.maxAgeHours} hours ${plan.stale === 1 ? 'was' : 'were'} dropped.`);
  }
  if (plan.notShown > 0 || plan.stale > 0) parts.push('/today and /appointments show the current state.');
  return parts.join(' ');
}

/**
 * The messages a login writes when alerts were held for the chat: its reply, the summary line, then
 * the released alerts in the order they were raised.
 */
export function loginWithHeldAlerts(loginReply: string, plan: ReleasePlan, limits: HeldAlertLimits): StoredMessage[] {
  return [
    { kind: 'text', text: loginReply },
    { kind: 'text', text: releaseSummary(plan, limits) },
    ...plan.released.map((alert): StoredMessage => ({ kind: 'text', text: alert.text })),
  ];
}
