/**
 * The reminder job against a real SQLite file, with the clock under the test's control: when each
 * reminder goes out, that it goes out once (restarts, downtime, racing runs), and never for
 * appointments that are off.
 */
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConversationEngine } from '../../../src/core/engine.js';
import { PermanentDeliveryError, type ChannelTransport } from '../../../src/core/delivery.js';
import type { Outbound } from '../../../src/core/messages.js';
import { OutboxNotifier } from '../../../src/services/delivery/notifier.js';
import { OutboxSender } from '../../../src/services/delivery/outboxSender.js';
import { LocalReportStorage } from '../../../src/services/files/reportStorage.js';
import { sendDueReminders, type ReminderJobDeps } from '../../../src/services/scheduler/jobs/reminders.js';
import { openClinicDatabase, SqliteClinicStore, SqliteOutbox, SqliteSessionStore } from '../../../src/store/sqlite/index.js';
import { createHarness, TEST_SETTINGS, type Harness } from '../../support/engineHarness.js';
import { book, entriesOf, ist, reminderDeps, remindersOf, seedDays, setClock, silentLogger, slotId } from './support.js';

let h: Harness;
beforeEach(async () => {
  h = createHarness({ now: ist('2026-11-21T10:00') });
  await seedDays(h);
});
afterEach(async () => h.close());

const run = (deps: ReminderJobDeps = reminderDeps(h)) => sendDueReminders(h.clock.now(), deps);

describe('reminders for an appointment booked days ahead', () => {
  it('sends the 24h and the 2h reminder once each, with doctor, time, address and the three buttons', async () => {
    const appointment = await book(h, slotId('2026-11-23', '10:00'));
    const ref = appointment.conversation;

    expect(await run()).toEqual({ sent: 0, failed: 0 });
    setClock(h, ist('2026-11-22T09:59'));
    expect((await run()).sent).toBe(0);

    setClock(h, ist('2026-11-22T10:00'));
    expect((await run()).sent).toBe(1);
    expect((await run()).sent).toBe(0);
    const [first] = await remindersOf(h, ref);
    expect(first?.message).toEqual({
      kind: 'menu',
      text: expect.stringContaining('Doctor: Dr. Meera Iyer'),
      options: [
        { id: `appt:confirm:${appointment.id}`, label: 'Confirm' },
        { id: `appt:reschedule:${appointment.id}`, label: 'Reschedule' },
        { id: `appt:cancel:${appointment.id}`, label: 'Cancel' },
      ],
    });
    const text = first?.message.kind === 'menu' ? first.message.text : '';
    expect(text).toContain('When: Mon, 23 Nov 2026 at 10:00 AM IST');
    expect(text).toContain('Where: Test Clinic, 1 Test Road');
    expect((await h.store.getAppointment(appointment.id))?.remindersSent).toEqual(['24h']);

    setClock(h, ist('2026-11-23T07:59'));
    expect((await run()).sent).toBe(0);
    setClock(h, ist('2026-11-23T08:00'));
    expect((await run()).sent).toBe(1);
    setClock(h, ist('2026-11-23T09:30'));
    expect((await run()).sent).toBe(0);

    expect(await remindersOf(h, ref)).toHaveLength(2);
    expect((await h.store.getAppointment(appointment.id))?.remindersSent).toEqual(['24h', '2h']);
  });

  it('on WhatsApp, a chat in the middle of a booking gets the reminder without a numbered menu, so its "3" still answers its own question', async () => {
    const ref = { channel: 'whatsapp' as const, chatId: '919876543210@c.us' };
    const appointment = await book(h, slotId('2026-11-23', '10:00'), ref);
    const telegram = await book(h, 'derm-2026-11-23-1000', { channel: 'telegram', chatId: '5005' });
    const p = h.patient(ref.chatId, { channel: 'whatsapp', phone: '+919876543210' });
    const q = h.patient('5005', { channel: 'telegram' });
    for (const patient of [p, q]) {
      await patient.say('hi');
      await patient.tap('Book an appointment');
    }
    const before = await h.sessions.load(ref);

    setClock(h, ist('2026-11-22T10:00'));
    expect((await run()).sent).toBe(2);
    const pushed = (await entriesOf(h, ref)).at(-1)?.message;
    expect(pushed).toEqual({ kind: 'text', text: expect.stringContaining(`Appointment ID: ${appointment.id}`) });
    expect(pushed?.kind === 'text' ? pushed.text : '').toContain('type "menu" and choose "Reschedule an appointment" or "Cancel an appointment"');
    expect((await h.sessions.load(ref))?.state).toBe(before?.state);
    // Buttons can be tapped whatever the chat is doing, so Telegram keeps them.
    expect((await remindersOf(h, telegram.conversation)).map((e) => e.message.kind)).toEqual(['menu']);

    await p.say('3');
    expect((await h.store.getAppointment(appointment.id))?.status).toBe('CONFIRMED');
  });

  it('counts the reminder windows in the clinic zone across midnight', async () => {
    // Mon 23 Nov 00:30 IST is Sun 22 Nov 19:00 UTC: the 24h reminder is due at Sun 00:30 IST (Sat 19:00 UTC).
    const appointment = await book(h, slotId('2026-11-23', '00:30'));
    setClock(h, ist('2026-11-22T00:29'));
    expect((await run()).sent).toBe(0);
    setClock(h, ist('2026-11-22T00:30'));
    expect((await run()).sent).toBe(1);
    const [reminder] = await remindersOf(h, appointment.conversation);
    expect(reminder?.message.kind === 'menu' && reminder.message.text).toContain('Mon, 23 Nov 2026 at 12:30 AM');

    setClock(h, ist('2026-11-22T22:29'));
    expect((await run()).sent).toBe(0);
    setClock(h, ist('2026-11-22T22:30'));
    expect((await run()).sent).toBe(1);
    expect((await h.store.getAppointment(appointment.id))?.remindersSent).toEqual(['24h', '2h']);
  });

  it('sends only the 2h reminder for an appointment booked less than 24 hours ahead', async () => {
    const appointment = await book(h, slotId('2026-11-22', '09:00')); // 23 hours ahead
    for (const at of ['2026-11-21T10:01', '2026-11-21T18:00', '2026-11-22T06:59']) {
      setClock(h, ist(at));
      expect((await run()).sent, at).toBe(0);
    }
    setClock(h, ist('2026-11-22T07:00'));
    expect((await run()).sent).toBe(1);
    expect((await h.store.getAppointment(appointment.id))?.remindersSent).toEqual(['2h']);
  });

  it('arms the reminders from the confirmation, not the hold: held 25 hours ahead and confirmed 23 hours ahead gets only the 2h one', async () => {
    const held = await h.store.holdSlot(
      {
        conversation: { channel: 'web', chatId: 'web-chat-000000000000001' },
        patient: { name: 'Asha Rao', phone: '+919876543210', age: 34, gender: 'FEMALE' },
        purpose: 'Fever',
        slotId: slotId('2026-11-22', '11:00'),
        holdExpiresAt: ist('2026-11-21T12:30'),
      },
      h.clock.now(), // 10:00, 25 hours ahead
    );
    setClock(h, ist('2026-11-21T12:00')); // 23 hours ahead, after the 24h reminder's time
    await h.store.confirmAppointment(held.id, { paymentMode: 'ONLINE', paymentStatus: 'PAID' }, h.clock.now());
    expect((await run()).sent).toBe(0);
    setClock(h, ist('2026-11-22T09:00'));
    expect((await run()).sent).toBe(1);
    expect((await h.store.getAppointment(held.id))?.remindersSent).toEqual(['2h']);
  });

  it('sends nothing for an appointment booked after even its last reminder time', async () => {
    const appointment = await book(h, slotId('2026-11-21', '11:00')); // one hour ahead
    setClock(h, ist('2026-11-21T10:30'));
    expect((await run()).sent).toBe(0);
    expect(await remindersOf(h, appointment.conversation)).toEqual([]);
  });
});

describe('restarts and downtime', () => {
  /** A second service instance on the same file: its own connection, store, outbox and engine. */
  function restartedInstance(): { deps: ReminderJobDeps; close: () => Promise<void> } {
    const db = openClinicDatabase(path.join(h.dir, 'clinic.db'));
    const store = new SqliteClinicStore(db);
    const outbox = new SqliteOutbox(db);
    const sessions = new SqliteSessionStore(db, outbox);
    const engine = new ConversationEngine({
      deps: { store, reports: new LocalReportStorage(path.join(h.dir, 'reports')), settings: TEST_SETTINGS, logger: silentLogger },
      sessions,
      outbox,
      files: h.documents,
      clock: h.clock,
      sessionTtlHours: 24,
    });
    return {
      deps: reminderDeps(h, { store, sessions, conversations: engine, notifier: new OutboxNotifier(outbox, h.documents, h.clock) }),
      close: () => store.close(),
    };
  }

  it('a restart between the two offsets sends the 2h reminder once and never the 24h one again', async () => {
    const appointment = await book(h, slotId('2026-11-23', '10:00'));
    setClock(h, ist('2026-11-22T10:05'));
    expect((await run()).sent).toBe(1);

    const restarted = restartedInstance();
    try {
      setClock(h, ist('2026-11-22T10:06'));
      expect((await run(restarted.deps)).sent).toBe(0);
      setClock(h, ist('2026-11-23T08:01'));
      expect((await run(restarted.deps)).sent).toBe(1);
      // The old instance (had it kept running) finds nothing left to send either.
      expect((await run()).sent).toBe(0);
    } finally {
      await restarted.close();
    }
    const reminders = await remindersOf(h, appointment.conversation);
    expect(reminders).toHaveLength(2);
    expect((await h.store.getAppointment(appointment.id))?.remindersSent).toEqual(['24h', '2h']);
  });

  it('after downtime across both reminder times, sends only the latest one, once', async () => {
    const appointment = await book(h, slotId('2026-11-23', '10:00'));
    setClock(h, ist('2026-11-23T09:00')); // down from Saturday until an hour before
    expect((await run()).sent).toBe(1);
    expect((await run()).sent).toBe(0);
    const reminders = await remindersOf(h, appointment.conversation);
    expect(reminders).toHaveLength(1);
    expect((await h.store.getAppointment(appointment.id))?.remindersSent).toEqual(['2h']);
  });

  it('after downtime across the 24h time only, sends that one late, then the 2h one on time', async () => {
    const appointment = await book(h, slotId('2026-11-23', '10:00'));
    setClock(h, ist('2026-11-22T20:00'));
    expect((await run()).sent).toBe(1);
    setClock(h, ist('2026-11-23T08:00'));
    expect((await run()).sent).toBe(1);
    expect((await h.store.getAppointment(appointment.id))?.remindersSent).toEqual(['24h', '2h']);
  });

  it('two runs racing send one reminder, also from two connections to the file', async () => {
    const appointment = await book(h, slotId('2026-11-23', '10:00'));
    setClock(h, ist('2026-11-22T10:00'));
    const [a, b] = await Promise.all([run(), run()]);
    expect(a.sent + b.sent).toBe(1);

    const other = restartedInstance();
    try {
      setClock(h, ist('2026-11-23T08:00'));
      const [c, d] = await Promise.all([run(), run(other.deps)]);
      expect(c.sent + d.sent).toBe(1);
    } finally {
      await other.close();
    }
    expect(await remindersOf(h, appointment.conversation)).toHaveLength(2);
  });
});

describe('appointments that get no reminder', () => {
  it('never for cancelled, expired or past appointments', async () => {
    const cancelled = await book(h, slotId('2026-11-23', '10:00'), { channel: 'web', chatId: 'cancelled-chat-0000000001' });
    await h.store.updateAppointment(cancelled.id, { status: 'CANCELLED' }, h.clock.now());
    const heldRef = { channel: 'web', chatId: 'held-chat-000000000000001' } as const;
    await h.store.holdSlot(
      {
        conversation: heldRef,
        patient: { name: 'Ravi', phone: '+919812345678', age: 40, gender: 'MALE' },
        purpose: 'Checkup',
        slotId: slotId('2026-11-23', '11:00'),
        holdExpiresAt: new Date(h.clock.now().getTime() + 20 * 60_000),
      },
      h.clock.now(),
    );
    const past = await book(h, slotId('2026-11-21', '11:00'), { channel: 'web', chatId: 'past-chat-000000000000001' });

    for (const at of ['2026-11-21T12:00', '2026-11-22T10:30', '2026-11-23T09:00']) {
      setClock(h, ist(at));
      expect((await run()).sent, at).toBe(0);
    }
    expect(await remindersOf(h, cancelled.conversation)).toEqual([]);
    expect(await remindersOf(h, heldRef)).toEqual([]);
    expect(await remindersOf(h, past.conversation)).toEqual([]);
  });

  it('a rescheduled appointment is reminded again for its new time', async () => {
    const appointment = await book(h, slotId('2026-11-23', '10:00'));
    setClock(h, ist('2026-11-22T10:00'));
    expect((await run()).sent).toBe(1);

    setClock(h, ist('2026-11-22T11:00'));
    const moved = await h.store.rescheduleAppointment(appointment.id, slotId('2026-11-24', '10:00'), h.clock.now());
    expect(moved.remindersSent).toEqual([]);
    expect((await run()).sent).toBe(0);
    // The old time's 2h reminder is not sent.
    setClock(h, ist('2026-11-23T08:00'));
    expect((await run()).sent).toBe(0);
    setClock(h, ist('2026-11-23T10:00'));
    expect((await run()).sent).toBe(1);
    setClock(h, ist('2026-11-24T08:00'));
    expect((await run()).sent).toBe(1);

    const reminders = await remindersOf(h, appointment.conversation);
    expect(reminders.map((r) => (r.message.kind === 'menu' ? /When: (.*) IST/.exec(r.message.text)?.[1] : ''))).toEqual([
      'Mon, 23 Nov 2026 at 10:00 AM',
      'Tue, 24 Nov 2026 at 10:00 AM',
      'Tue, 24 Nov 2026 at 10:00 AM',
    ]);
    expect((await h.store.getAppointment(appointment.id))?.remindersSent).toEqual(['24h', '2h']);
  });

  it('a reschedule to a time less than 24 hours ahead gets only the 2h reminder', async () => {
    const appointment = await book(h, slotId('2026-11-24', '10:00'));
    setClock(h, ist('2026-11-22T12:00'));
    await h.store.rescheduleAppointment(appointment.id, slotId('2026-11-23', '10:00'), h.clock.now());
    setClock(h, ist('2026-11-22T12:01'));
    expect((await run()).sent).toBe(0);
    setClock(h, ist('2026-11-23T08:00'));
    expect((await run()).sent).toBe(1);
    expect((await h.store.getAppointment(appointment.id))?.remindersSent).toEqual(['2h']);
  });
});

describe('patients who cannot be reached', () => {
  it('records an unreachable patient as undeliverable and reminds everyone else', async () => {
    const blocked = await book(h, slotId('2026-11-23', '10:00'), { channel: 'telegram', chatId: '1001' });
    const reachable = await book(h, slotId('2026-11-23', '11:00'), { channel: 'telegram', chatId: '1002' });
    const delivered: [string, Outbound][] = [];
    // The platform's answer for a patient who blocked the bot.
    const transport: ChannelTransport = {
      channel: 'telegram',
      async deliver(chatId, message) {
        if (chatId === '1001') throw new PermanentDeliveryError('Forbidden: bot was blocked by the user');
        delivered.push([chatId, message]);
      },
    };
    const undeliverable: string[] = [];
    const sender = new OutboxSender({
      outbox: h.outbox,
      transport,
      files: h.documents,
      clock: h.clock,
      logger: silentLogger,
      onUndeliverable: (entry) => void undeliverable.push(entry.route.chatId),
      wait: async () => {},
    });
    sender.start();
    try {
      setClock(h, ist('2026-11-22T11:00'));
      expect(await run()).toEqual({ sent: 2, failed: 0 });
      await sender.idle();
    } finally {
      await sender.stop();
    }
    expect(undeliverable).toEqual(['1001']);
    expect(delivered.map(([chatId]) => chatId)).toEqual(['1002']);
    expect((await h.outbox.listUndeliverable(10)).map((e) => e.route.chatId)).toEqual(['1001']);
    // The blocked patient's reminder is recorded as tried; it is not pushed again on the next run.
    expect((await h.store.getAppointment(blocked.id))?.remindersSent).toEqual(['24h']);
    expect((await h.store.getAppointment(reachable.id))?.remindersSent).toEqual(['24h']);
    expect((await run()).sent).toBe(0);
  });

  it('an appointment whose time cannot be read is logged and skipped; the others are reminded', async () => {
    const broken = await book(h, slotId('2026-11-23', '10:00'), { channel: 'web', chatId: 'broken-chat-0000000000001' });
    const fine = await book(h, slotId('2026-11-23', '11:00'), { channel: 'web', chatId: 'fine-chat-000000000000001' });
    h.db.prepare("UPDATE appointments SET time = 'ten-ish' WHERE id = ?").run(broken.id);
    setClock(h, ist('2026-11-22T11:00'));
    expect(await run()).toEqual({ sent: 1, failed: 1 });
    expect(await remindersOf(h, fine.conversation)).toHaveLength(1);
    expect(await entriesOf(h, broken.conversation)).toEqual([]);
  });
});
