/**
 * Shared by the scheduler tests: a clinic with slots days ahead, appointments booked straight in the
 * store, the real job dependencies on the harness's database, and the reminders a chat received.
 */
import { pino } from 'pino';
import type { Appointment, PaymentMode, PaymentStatus } from '../../../src/core/domain.js';
import type { OutboxEntry } from '../../../src/core/delivery.js';
import type { ConversationRef } from '../../../src/core/messages.js';
import { OutboxAdminAlerts, OutboxNotifier } from '../../../src/services/delivery/notifier.js';
import type { ReminderJobDeps } from '../../../src/services/scheduler/jobs/reminders.js';
import { doctor, slot, type Harness } from '../../support/engineHarness.js';

export const silentLogger = pino({ level: 'silent' });

/** 24h and 2h, as REMINDER_OFFSETS=24h,2h gives them. */
export const OFFSETS = [1440, 120];

/** An instant given as clinic wall-clock time (Asia/Kolkata, UTC+05:30). */
export function ist(wallClock: string): Date {
  return new Date(`${wallClock}:00+05:30`);
}

/**
 * Dr. Meera Iyer (GP) with slots on Sat 21 (11:00), Sun 22 (00:30, 09:00, 10:00, 11:00),
 * Mon 23 (00:30, 10:00, 11:00) and Tue 24 Nov 2026 (10:00); Dr. Karan Shah (DERM) on Mon 23 at 10:00.
 */
export async function seedDays(h: Harness): Promise<void> {
  await h.store.upsertDoctor(doctor('GP', { name: 'Dr. Meera Iyer', fee: 500 }));
  await h.store.upsertDoctor(doctor('DERM', { name: 'Dr. Karan Shah', specialty: 'Dermatology', fee: 800 }));
  const gp: [string, string][] = [
    ['2026-11-21', '11:00'],
    ['2026-11-22', '00:30'],
    ['2026-11-22', '09:00'],
    ['2026-11-22', '10:00'],
    ['2026-11-22', '11:00'],
    ['2026-11-23', '00:30'],
    ['2026-11-23', '10:00'],
    ['2026-11-23', '11:00'],
    ['2026-11-24', '10:00'],
  ];
  for (const [date, start] of gp) await h.store.upsertSlot(slot(slotId(date, start), 'GP', date, start));
  await h.store.upsertSlot(slot('derm-2026-11-23-1000', 'DERM', '2026-11-23', '10:00'));
}

/** The id seedDays gives Dr. Iyer's slot on a date at a time. */
export function slotId(date: string, start: string): string {
  return `gp-${date}-${start.replace(':', '')}`;
}

/** Books a slot for a chat at the harness clock's instant, confirmed with the given payment. */
export async function book(
  h: Harness,
  slot: string,
  conversation: ConversationRef = { channel: 'web', chatId: 'web-chat-000000000000001' },
  payment: { paymentMode: PaymentMode; paymentStatus: PaymentStatus } = { paymentMode: 'CLINIC', paymentStatus: 'PAY_AT_CLINIC' },
): Promise<Appointment> {
  const now = h.clock.now();
  const held = await h.store.holdSlot(
    {
      conversation,
      patient: { name: 'Asha Rao', phone: '+919876543210', age: 34, gender: 'FEMALE' },
      purpose: 'Fever',
      slotId: slot,
      holdExpiresAt: new Date(now.getTime() + 20 * 60_000),
    },
    now,
  );
  return h.store.confirmAppointment(held.id, payment, now);
}

/** The reminder job's dependencies on the harness (its store, outbox, sessions and engine). */
export function reminderDeps(h: Harness, overrides: Partial<ReminderJobDeps> = {}): ReminderJobDeps {
  return {
    store: h.store,
    notifier: new OutboxNotifier(h.outbox, h.documents, h.clock),
    sessions: h.sessions,
    conversations: h.engine,
    clinic: h.settings.clinic,
    offsetsMinutes: OFFSETS,
    sessionTtlHours: 24,
    logger: silentLogger,
    ...overrides,
  };
}

/** Admin alerts into the harness outbox, for two admin chats on the admin bot. */
export function adminAlerts(h: Harness): OutboxAdminAlerts {
  return new OutboxAdminAlerts({ outbox: h.outbox, clock: h.clock, logger: silentLogger, channel: 'telegram-admin', adminChatIds: ['111', '222'] });
}

/** Everything the bot stored for a chat. */
export async function entriesOf(h: Harness, ref: ConversationRef | { channel: 'telegram-admin'; chatId: string }): Promise<OutboxEntry[]> {
  return h.outbox.listAfter(ref, 0, 1000);
}

/** The reminders a chat received. */
export async function remindersOf(h: Harness, ref: ConversationRef): Promise<OutboxEntry[]> {
  return (await entriesOf(h, ref)).filter((e) => e.message.kind === 'menu' && e.message.text.startsWith('⏰'));
}

/** Moves the harness clock to an instant (forward only). */
export function setClock(h: Harness, to: Date): void {
  const minutes = (to.getTime() - h.clock.now().getTime()) / 60_000;
  if (minutes < 0) throw new Error(`the clock only moves forward (asked for ${to.toISOString()})`);
  h.clock.advanceMinutes(minutes);
}
