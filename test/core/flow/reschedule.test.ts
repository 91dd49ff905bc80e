/**
 * Confirm, Reschedule and Cancel from a reminder on every channel, and "Reschedule an appointment"
 * from the menu: the reminder is a real outbox entry written by the reminder job, the patient's tap a
 * choice (or, on WhatsApp, a typed number) handled by the real engine on real SQLite.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConversationEngine } from '../../../src/core/engine.js';
import type { Appointment } from '../../../src/core/domain.js';
import type { Channel, Outbound } from '../../../src/core/messages.js';
import { LocalReportStorage } from '../../../src/services/files/reportStorage.js';
import { sendDueReminders } from '../../../src/services/scheduler/jobs/reminders.js';
import { createHarness, menuLabels, textOf, type Harness } from '../../support/engineHarness.js';
import { adminAlerts, book, entriesOf, ist, reminderDeps, remindersOf, seedDays, setClock, silentLogger, slotId } from '../../services/scheduler/support.js';

let h: Harness;
let engine: ConversationEngine;
beforeEach(async () => {
  h = createHarness({ now: ist('2026-11-21T10:00') });
  await seedDays(h);
  // The harness's engine with admin alerts switched on (two admin chats on the admin bot).
  engine = new ConversationEngine({
    deps: { store: h.store, reports: new LocalReportStorage(`${h.dir}/reports`), settings: h.settings, logger: silentLogger, alerts: adminAlerts(h) },
    sessions: h.sessions,
    outbox: h.outbox,
    files: h.documents,
    clock: h.clock,
    sessionTtlHours: 24,
  });
});
afterEach(async () => {
  await engine.close();
  await h.close();
});

let messageCounter = 0;
/** A patient on one channel, talking to the engine with alerts. */
function patient(channel: Channel, chatId: string) {
  let lastMenu: Extract<Outbound, { kind: 'menu' }> | undefined;
  const send = async (content: { kind: 'text'; text: string } | { kind: 'choice'; optionId: string }) => {
    const replies = await engine.handle({ channel, chatId, messageId: `m${++messageCounter}`, receivedAt: h.clock.now(), content });
    for (const reply of replies) if (reply.kind === 'menu') lastMenu = reply;
    return replies;
  };
  return {
    ref: { channel, chatId },
    say: (text: string) => send({ kind: 'text', text }),
    choose: (optionId: string) => send({ kind: 'choice', optionId }),
    tap(label: string) {
      const option = lastMenu?.options.find((o) => o.label.includes(label));
      if (!option) throw new Error(`No option "${label}" in ${JSON.stringify(lastMenu?.options.map((o) => o.label))}`);
      return send({ kind: 'choice', optionId: option.id });
    },
  };
}

/** Runs the reminder job now and returns the option ids of the newest reminder the chat got. */
async function remind(ref: { channel: Channel; chatId: string }): Promise<Record<'confirm' | 'reschedule' | 'cancel', string>> {
  await sendDueReminders(h.clock.now(), reminderDeps(h, { conversations: engine }));
  const reminders = await remindersOf(h, ref);
  const last = reminders[reminders.length - 1]?.message;
  if (last?.kind !== 'menu') throw new Error('no reminder was sent');
  const [confirm, reschedule, cancel] = last.options.map((o) => o.id) as [string, string, string];
  return { confirm, reschedule, cancel };
}

const adminTexts = async () => (await entriesOf(h, { channel: 'telegram-admin', chatId: '111' })).map((e) => (e.message.kind === 'text' ? e.message.text : ''));

async function paidBooking(ref: { channel: Channel; chatId: string }, slot = slotId('2026-11-23', '10:00')): Promise<Appointment> {
  const appointment = await book(h, slot, ref, { paymentMode: 'ONLINE', paymentStatus: 'PAID' });
  return h.store.updateAppointment(appointment.id, { paymentId: 'pay_29QQoUBi66xm2f', invoiceNo: 'INV-0007' }, h.clock.now());
}

const CHATS: [Channel, string][] = [
  ['web', 'web-chat-reminder-00000001'],
  ['telegram', '5001'],
  ['whatsapp', '919876543210@c.us'],
];

describe.each(CHATS)('answering a reminder on %s', (channel, chatId) => {
  it('Confirm records that the patient is coming', async () => {
    const p = patient(channel, chatId);
    const appointment = await paidBooking(p.ref);
    setClock(h, ist('2026-11-22T10:00'));
    const buttons = await remind(p.ref);

    setClock(h, ist('2026-11-22T10:05'));
    const replies = await p.choose(buttons.confirm);
    expect(textOf(replies)).toContain('Thank you! Dr. Meera Iyer expects you on Mon, 23 Nov 2026 at 10:00 AM');
    expect(menuLabels(replies)[0]).toBe('Book an appointment');
    expect((await h.store.getAppointment(appointment.id))?.patientConfirmedAt).toBe(ist('2026-11-22T10:05').toISOString());
    // The transcript shows what was tapped.
    const mine = await h.outbox.listAfter(p.ref, 0, 100, { includePatient: true });
    expect(mine.filter((e) => e.author === 'patient').map((e) => e.message.kind === 'text' && e.message.text)).toEqual(['Confirm']);
  });

  it('Reschedule offers the same doctor’s free times and moves the booking with its payment', async () => {
    const p = patient(channel, chatId);
    const appointment = await paidBooking(p.ref);
    setClock(h, ist('2026-11-22T10:00'));
    const buttons = await remind(p.ref);

    const offer = await p.choose(buttons.reschedule);
    expect(textOf(offer)).toContain('Your appointment with Dr. Meera Iyer is on Mon, 23 Nov 2026 at 10:00 AM');
    expect(textOf(offer)).toContain('Free times on Sun, 22 Nov 2026');
    expect(menuLabels(offer)).toEqual(['11:00 AM', 'Later times ›']);
    const monday = await p.tap('Later times'); // Mon 23: 12:30 AM, 11:00 AM (10:00 is its own)
    expect(menuLabels(monday)).toEqual(['12:30 AM', '11:00 AM', '‹ Earlier times', 'Later times ›']);
    const done = await p.tap('11:00 AM');
    expect(textOf(done)).toContain(`your appointment ${appointment.id} with Dr. Meera Iyer is now on Mon, 23 Nov 2026 at 11:00 AM`);

    const moved = await h.store.getAppointment(appointment.id);
    expect(moved).toMatchObject({
      status: 'CONFIRMED',
      slotId: slotId('2026-11-23', '11:00'),
      date: '2026-11-23',
      time: '11:00',
      paymentMode: 'ONLINE',
      paymentStatus: 'PAID',
      paymentId: 'pay_29QQoUBi66xm2f',
      invoiceNo: 'INV-0007',
      fee: 500,
      patient: appointment.patient,
      remindersSent: [],
    });
    // The old time is free for others at once.
    const usage = await h.store.listSlotUsage({ doctorId: 'GP', fromDate: '2026-11-23', toDate: '2026-11-23', now: h.clock.now() });
    expect(usage.map((u) => [u.slot.start, u.taken])).toEqual([
      ['00:30', 0],
      ['10:00', 0],
      ['11:00', 1],
    ]);
    expect(await adminTexts()).toContain(
      `🔁 Moved by the patient: ${appointment.id} · Dr. Meera Iyer · Mon, 23 Nov 2026 at 10:00 AM → Mon, 23 Nov 2026 at 11:00 AM · Asha`,
    );
  });

  it('Cancel asks once more, frees the slot, makes a paid booking REFUND_DUE and tells the admins', async () => {
    const p = patient(channel, chatId);
    const appointment = await paidBooking(p.ref);
    setClock(h, ist('2026-11-22T10:00'));
    const buttons = await remind(p.ref);

    const question = await p.choose(buttons.cancel);
    expect(menuLabels(question)).toEqual(['Yes, cancel it', 'No, keep it']);
    const done = await p.tap('Yes, cancel it');
    expect(textOf(done)).toContain(`Your appointment ${appointment.id} (Mon, 23 Nov 2026 at 10:00 AM) is cancelled. Your payment will be refunded`);
    expect(await h.store.getAppointment(appointment.id)).toMatchObject({ status: 'CANCELLED', paymentStatus: 'REFUND_DUE' });
    expect(await adminTexts()).toContain(
      `💸 Refund due: ${appointment.id} · Dr. Meera Iyer · Mon, 23 Nov 2026 at 10:00 AM · Asha cancelled after paying online (payment pay_29QQoUBi66xm2f). Send /refunds for the list.`,
    );
    // The slot is bookable again, and the 2h reminder never goes out.
    const usage = await h.store.listSlotUsage({ doctorId: 'GP', fromDate: '2026-11-23', toDate: '2026-11-23', now: h.clock.now() });
    expect(usage.find((u) => u.slot.start === '10:00')?.taken).toBe(0);
    setClock(h, ist('2026-11-23T08:00'));
    expect(await sendDueReminders(h.clock.now(), reminderDeps(h, { conversations: engine }))).toEqual({ sent: 0, failed: 0 });
    // A later tap on the old reminder says what happened.
    expect(textOf(await p.choose(buttons.confirm))).toContain('was cancelled, so there is nothing to change');
  });
});

describe('typed answers to a reminder (WhatsApp shows it as a numbered list)', () => {
  it('"1" confirms, "2" reschedules, and "cancel" asks to cancel that appointment', async () => {
    const p = patient('whatsapp', '919812345678@c.us');
    const appointment = await book(h, slotId('2026-11-23', '10:00'), p.ref);
    setClock(h, ist('2026-11-22T10:00'));
    await remind(p.ref);
    expect((await h.sessions.load(p.ref))?.state).toBe('ANSWERING_REMINDER');

    expect(textOf(await p.say('1'))).toContain('Thank you!');
    expect((await h.store.getAppointment(appointment.id))?.patientConfirmedAt).toBeDefined();

    setClock(h, ist('2026-11-23T08:00'));
    await remind(p.ref);
    expect(textOf(await p.say('2'))).toContain('Pick the new time');
    expect((await h.sessions.load(p.ref))?.state).toBe('SELECTING_NEW_SLOT');
    await p.say('menu');

    const other = patient('whatsapp', '919800000000@c.us');
    const second = await book(h, slotId('2026-11-23', '11:00'), other.ref);
    setClock(h, ist('2026-11-23T09:00'));
    await remind(other.ref);
    const question = await other.say('cancel');
    expect(textOf(question)).toContain(`Cancel your appointment with Dr. Meera Iyer on Mon, 23 Nov 2026 at 11:00 AM?`);
    await other.say('yes');
    expect((await h.store.getAppointment(second.id))?.status).toBe('CANCELLED');
  });

  it('anything else after a reminder is a fresh start at the main menu', async () => {
    const p = patient('whatsapp', '919812345678@c.us');
    await book(h, slotId('2026-11-23', '10:00'), p.ref);
    setClock(h, ist('2026-11-22T10:00'));
    await remind(p.ref);
    const replies = await p.say('hello');
    expect(menuLabels(replies)).toContain('Reschedule an appointment');
    expect((await h.sessions.load(p.ref))?.state).toBe('IDLE');
  });
});

describe('reminder buttons whatever the chat is doing', () => {
  it('Confirm in the middle of a booking answers and carries on with the booking', async () => {
    const p = patient('telegram', '5002');
    const appointment = await book(h, slotId('2026-11-23', '10:00'), p.ref);
    setClock(h, ist('2026-11-22T10:00'));
    const buttons = await remind(p.ref);
    await p.say('hi');
    await p.tap('Book an appointment');
    await p.tap('No, enter new details');
    await p.say('Ravi Kumar');
    const state = (await h.sessions.load(p.ref))?.state;
    expect(state).toBe('AWAITING_PHONE');

    const replies = await p.choose(buttons.confirm);
    expect(textOf(replies)).toContain('Thank you!');
    expect(textOf(replies)).toContain('What is the mobile number');
    expect((await h.sessions.load(p.ref))?.state).toBe(state);
    expect((await h.sessions.load(p.ref))?.draft.name).toBe('Ravi Kumar');
    expect((await h.store.getAppointment(appointment.id))?.patientConfirmedAt).toBeDefined();
  });

  it('Reschedule while holding another slot gives that hold back', async () => {
    const p = patient('web', 'web-chat-busy-0000000000001');
    const appointment = await book(h, slotId('2026-11-23', '10:00'), p.ref);
    setClock(h, ist('2026-11-22T10:00'));
    const buttons = await remind(p.ref);
    await p.say('book');
    for (const answer of ['Yes']) await p.tap(answer);
    await p.say('checkup');
    await p.tap('Meera');
    await p.tap('11:00 AM');
    expect(await h.store.listAppointments({ conversation: p.ref, statuses: ['HELD'] })).toHaveLength(1);

    const replies = await p.choose(buttons.reschedule);
    expect(textOf(replies)).toContain(`Your appointment with Dr. Meera Iyer is on Mon, 23 Nov 2026 at 10:00 AM`);
    expect(await h.store.listAppointments({ conversation: p.ref, statuses: ['HELD'] })).toHaveLength(0);
    expect(menuLabels(replies)[0]).toBe('11:00 AM'); // the released 11:00 is offered again
    await p.say('back');
    expect((await h.store.getAppointment(appointment.id))?.slotId).toBe(slotId('2026-11-23', '10:00'));
  });

  it('works after the chat timed out, without the "welcome back" restart', async () => {
    const p = patient('web', 'web-chat-timed-out-000000001');
    const appointment = await book(h, slotId('2026-11-23', '10:00'), p.ref);
    await p.say('hi');
    setClock(h, ist('2026-11-23T08:00')); // the 2h reminder; the chat was last used 46 hours ago
    const buttons = await remind(p.ref);
    await h.sessions.save(p.ref, { ...(await h.sessions.load(p.ref))!, state: 'AWAITING_AGE', updatedAt: ist('2026-11-21T10:00').toISOString() });
    const replies = await p.choose(buttons.confirm);
    expect(textOf(replies)).not.toContain('Welcome back');
    expect((await h.store.getAppointment(appointment.id))?.patientConfirmedAt).toBeDefined();
  });

  it("never acts on another chat's appointment, whatever id a button carries", async () => {
    const owner = patient('telegram', '6001');
    const appointment = await book(h, slotId('2026-11-23', '10:00'), owner.ref);
    const stranger = patient('telegram', '6002');
    for (const verb of ['confirm', 'reschedule', 'cancel']) {
      const replies = await stranger.choose(`appt:${verb}:${appointment.id}`);
      // The refusal comes with the main menu, in one message.
      expect(replies).toHaveLength(1);
      expect(replies[0]).toMatchObject({ kind: 'menu', text: expect.stringMatching(/^That button is for an appointment I cannot find in this chat\.\n\nWelcome/) });
    }
    // The same id on another channel is another chat too.
    expect(textOf(await patient('whatsapp', '6001').choose(`appt:cancel:${appointment.id}`))).toContain('cannot find in this chat');
    expect(await h.store.getAppointment(appointment.id)).toMatchObject({ status: 'CONFIRMED', slotId: slotId('2026-11-23', '10:00') });
    expect((await h.store.getAppointment(appointment.id))?.patientConfirmedAt).toBeUndefined();
  });

  it('a button after the appointment has passed says so', async () => {
    const p = patient('web', 'web-chat-late-tap-000000001');
    await book(h, slotId('2026-11-22', '09:00'), p.ref);
    setClock(h, ist('2026-11-22T07:00'));
    const buttons = await remind(p.ref);
    setClock(h, ist('2026-11-22T09:30'));
    expect(textOf(await p.choose(buttons.reschedule))).toContain('has already taken place');
  });
});

describe('"Reschedule an appointment" in the menu', () => {
  it('moves the only upcoming appointment; a time taken meanwhile is refused and the booking stays', async () => {
    const p = patient('web', 'web-chat-menu-0000000000001');
    const appointment = await book(h, slotId('2026-11-23', '10:00'), p.ref);
    await p.say('hi');
    const offer = await p.tap('Reschedule an appointment');
    expect(textOf(offer)).toContain('Pick the new time');
    expect(menuLabels(offer)[0]).toBe('11:00 AM'); // today, Sat 21

    // Someone else takes Saturday 11:00 while the patient looks.
    await book(h, slotId('2026-11-21', '11:00'), { channel: 'web', chatId: 'web-chat-someone-else-00001' });
    const refused = await p.tap('11:00 AM');
    expect(textOf(refused)).toContain('that time was just taken');
    expect((await h.store.getAppointment(appointment.id))?.slotId).toBe(slotId('2026-11-23', '10:00'));
    expect(menuLabels(refused)[0]).toBe('12:30 AM'); // Sat 11:00 gone; Sun 22 00:30 first now

    await p.tap('12:30 AM');
    expect((await h.store.getAppointment(appointment.id))?.slotId).toBe(slotId('2026-11-22', '00:30'));
  });

  it('asks which appointment when there are several, and says when there is none', async () => {
    const p = patient('telegram', '7001');
    const none = await p.say('reschedule');
    expect(textOf(none)).toContain('You have no upcoming appointments to reschedule.');

    await book(h, slotId('2026-11-23', '10:00'), p.ref);
    await book(h, 'derm-2026-11-23-1000', p.ref);
    const which = await p.say('reschedule');
    expect(textOf(which)).toContain('Which appointment do you want to move to another time?');
    const offer = await p.tap('Dr. Karan Shah');
    expect(textOf(offer)).toContain('Sorry, Dr. Karan Shah has no other free times');
  });
});

describe('ClinicStore.rescheduleAppointment (SQLite, under its write lock)', () => {
  it('refuses another doctor’s, a blocked or a full slot, and anything not CONFIRMED, changing nothing', async () => {
    const appointment = await book(h, slotId('2026-11-23', '10:00'));
    const now = h.clock.now();
    await expect(h.store.rescheduleAppointment(appointment.id, 'derm-2026-11-23-1000', now)).rejects.toMatchObject({ reason: 'unknown' });
    await expect(h.store.rescheduleAppointment(appointment.id, 'no-such-slot', now)).rejects.toMatchObject({ reason: 'unknown' });
    const blocked = (await h.store.getSlot(slotId('2026-11-24', '10:00')))!;
    await h.store.upsertSlot({ ...blocked, status: 'BLOCKED' });
    await expect(h.store.rescheduleAppointment(appointment.id, blocked.id, now)).rejects.toMatchObject({ reason: 'blocked' });
    await book(h, slotId('2026-11-23', '11:00'), { channel: 'telegram', chatId: '9' });
    await expect(h.store.rescheduleAppointment(appointment.id, slotId('2026-11-23', '11:00'), now)).rejects.toMatchObject({ reason: 'full' });
    expect(await h.store.getAppointment(appointment.id)).toEqual(appointment);

    await h.store.updateAppointment(appointment.id, { status: 'CANCELLED' }, now);
    await expect(h.store.rescheduleAppointment(appointment.id, slotId('2026-11-22', '11:00'), now)).rejects.toMatchObject({
      name: 'InvalidTransitionError',
      from: 'CANCELLED',
    });
    await expect(h.store.rescheduleAppointment('APT-NOPE', slotId('2026-11-22', '11:00'), now)).rejects.toMatchObject({ name: 'AppointmentNotFoundError' });
  });

  it('two patients moving into the last place at once: exactly one gets it, the other keeps their time', async () => {
    const a = await book(h, slotId('2026-11-23', '10:00'), { channel: 'web', chatId: 'web-chat-racer-a-000000001' });
    const b = await book(h, slotId('2026-11-23', '11:00'), { channel: 'web', chatId: 'web-chat-racer-b-000000001' });
    const target = slotId('2026-11-24', '10:00');
    const results = await Promise.allSettled([a, b].map((x) => h.store.rescheduleAppointment(x.id, target, h.clock.now())));
    expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
    const after = await Promise.all([a, b].map(async (x) => (await h.store.getAppointment(x.id))!.slotId));
    expect(after.filter((s) => s === target)).toHaveLength(1);
    expect(after).toContain(results[0]!.status === 'fulfilled' ? slotId('2026-11-23', '11:00') : slotId('2026-11-23', '10:00'));
  });
});
