/**
 * The daily agenda sent to admin chats: its content, that it goes out once per date at AGENDA_TIME
 * (also when the service starts after that time), and that a chat it could not reach gets it later.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { agendaText, sendDailyAgenda, sendMissedAgenda, type AgendaJobDeps, type MissedAgendaDeps } from '../../../src/services/scheduler/jobs/agenda.js';
import { createHarness, type Harness } from '../../support/engineHarness.js';
import { adminAlerts, book, entriesOf, ist, seedDays, setClock } from './support.js';

let h: Harness;
beforeEach(async () => {
  h = createHarness({ now: ist('2026-11-22T06:00') });
  await seedDays(h);
});
afterEach(async () => h.close());

const deps = (): AgendaJobDeps => ({ store: h.store, alerts: adminAlerts(h), clinic: h.settings.clinic, agendaTime: '08:00' });
const adminTexts = async (chatId: string) =>
  (await entriesOf(h, { channel: 'telegram-admin', chatId })).map((e) => (e.message.kind === 'text' ? e.message.text : ''));

describe('sendDailyAgenda', () => {
  it("lists today's appointments per doctor with payment state, once per date, to every admin chat", async () => {
    const late = await book(h, 'gp-2026-11-22-1100', { channel: 'web', chatId: 'web-chat-a-00000000000001' }, { paymentMode: 'ONLINE', paymentStatus: 'PAID' });
    const early = await book(h, 'gp-2026-11-22-0900', { channel: 'telegram', chatId: '42' });
    await h.store.updateAppointment(early.id, { patientConfirmedAt: h.clock.now().toISOString() }, h.clock.now());
    const cancelled = await book(h, 'gp-2026-11-22-1000', { channel: 'web', chatId: 'web-chat-b-00000000000001' });
    await h.store.updateAppointment(cancelled.id, { status: 'CANCELLED' }, h.clock.now());
    await book(h, 'gp-2026-11-23-1000'); // tomorrow: not on today's agenda

    setClock(h, ist('2026-11-22T07:59'));
    expect(await sendDailyAgenda(h.clock.now(), deps())).toBeUndefined();
    expect(await adminTexts('111')).toEqual([]);

    setClock(h, ist('2026-11-22T08:00'));
    expect(await sendDailyAgenda(h.clock.now(), deps())).toEqual({ date: '2026-11-22', appointments: 2 });
    const expected = [
      '📋 Agenda for Sun, 22 Nov 2026: 2 appointments',
      '',
      'Dr. Meera Iyer (2)',
      `  9:00 AM · Asha Rao · ${early.id} · ₹500 pay at clinic · ✓ patient confirmed`,
      `  11:00 AM · Asha Rao · ${late.id} · ₹500 paid online`,
    ].join('\n');
    expect(await adminTexts('111')).toEqual([expected]);
    expect(await adminTexts('222')).toEqual([expected]);

    // Later runs that day (another trigger, a restart) do not repeat it.
    setClock(h, ist('2026-11-22T15:00'));
    await sendDailyAgenda(h.clock.now(), deps());
    expect(await adminTexts('111')).toHaveLength(1);

    // The next day has its own agenda.
    setClock(h, ist('2026-11-23T08:00'));
    await sendDailyAgenda(h.clock.now(), deps());
    expect((await adminTexts('111'))[1]).toContain('Agenda for Mon, 23 Nov 2026: 1 appointment\n');
  });

  it('shows each doctor apart with their own count, marks visits already done, and says when the day is empty', async () => {
    expect(agendaText('2026-11-22', [], 'INR')).toBe('📋 Agenda for Sun, 22 Nov 2026: no appointments booked.');

    const gp = await book(h, 'gp-2026-11-23-1000');
    const derm = await book(h, 'derm-2026-11-23-1000', { channel: 'whatsapp', chatId: '919876543210@c.us' }, { paymentMode: 'ONLINE', paymentStatus: 'PENDING' });
    await h.store.updateAppointment(gp.id, { status: 'COMPLETED' }, h.clock.now());
    const day = await h.store.listAppointments({ fromDate: '2026-11-23', toDate: '2026-11-23' });
    expect(agendaText('2026-11-23', day, 'INR')).toBe(
      [
        '📋 Agenda for Mon, 23 Nov 2026: 2 appointments',
        '',
        'Dr. Karan Shah (1)',
        `  10:00 AM · Asha Rao · ${derm.id} · ₹800 payment pending`,
        '',
        'Dr. Meera Iyer (1)',
        `  10:00 AM · Asha Rao · ${gp.id} · ₹500 pay at clinic · done`,
      ].join('\n'),
    );
  });
});

describe('sendMissedAgenda', () => {
  const missedDeps = (): MissedAgendaDeps => ({ store: h.store, alerts: adminAlerts(h), clinic: h.settings.clinic, outbox: h.outbox, channel: 'telegram-admin' });
  /** Marks the chat's agendas undeliverable, as the sender does when Telegram answers "chat not found". */
  const undeliverable = async (chatId: string) => {
    for (const entry of await entriesOf(h, { channel: 'telegram-admin', chatId })) {
      await h.outbox.markUndeliverable(entry.id, 'Bad Request: chat not found', h.clock.now());
    }
  };

  it("sends today's agenda afresh, once, only to a chat the day's agenda did not reach", async () => {
    await book(h, 'gp-2026-11-22-0900', { channel: 'telegram', chatId: '42' });
    setClock(h, ist('2026-11-22T08:00'));
    await sendDailyAgenda(h.clock.now(), deps());
    const sent = await adminTexts('111');

    // Delivered (or still on its way): nothing to catch up on.
    expect(await sendMissedAgenda('111', h.clock.now(), missedDeps())).toBe(false);
    expect(await adminTexts('111')).toEqual(sent);

    await undeliverable('111');
    setClock(h, ist('2026-11-22T09:30'));
    const later = await book(h, 'gp-2026-11-22-1100', { channel: 'telegram', chatId: '43' });
    expect(await sendMissedAgenda('111', h.clock.now(), missedDeps())).toBe(true);
    const texts = await adminTexts('111');
    expect(texts).toHaveLength(2);
    // As the day stands now, with the booking made since.
    expect(texts[1]).toMatch(/^📋 Agenda for Sun, 22 Nov 2026: 2 appointments\n/);
    expect(texts[1]).toContain(later.id);
    // Once: another first message (a restart) does not send it again; the other chat had its own.
    await sendMissedAgenda('111', h.clock.now(), missedDeps());
    expect(await adminTexts('111')).toHaveLength(2);
    expect(await sendMissedAgenda('222', h.clock.now(), missedDeps())).toBe(false);
    expect(await adminTexts('222')).toEqual(sent);
  });

  it("looks only at today's agenda and at the chat's own", async () => {
    setClock(h, ist('2026-11-22T08:00'));
    await sendDailyAgenda(h.clock.now(), deps());
    await undeliverable('111');
    // Yesterday's agenda that never arrived is history: today's has not been sent yet.
    setClock(h, ist('2026-11-23T07:00'));
    expect(await sendMissedAgenda('111', h.clock.now(), missedDeps())).toBe(false);
    // Another chat's failure is not this chat's, and an admin bot's is not the patient bot's.
    setClock(h, ist('2026-11-23T08:00'));
    await sendDailyAgenda(h.clock.now(), deps());
    await undeliverable('111');
    expect(await sendMissedAgenda('222', h.clock.now(), missedDeps())).toBe(false);
    expect(await sendMissedAgenda('111', h.clock.now(), { ...missedDeps(), channel: 'telegram' })).toBe(false);
    expect(await sendMissedAgenda('111', h.clock.now(), missedDeps())).toBe(true);
    expect((await adminTexts('111')).filter((t) => t.startsWith('📋 Agenda for Mon, 23 Nov 2026'))).toHaveLength(2);
  });
});
