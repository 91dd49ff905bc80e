import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Outbound } from '../../../src/core/messages.js';
import { SMALL_PDF, TINY_PNG } from '../../support/files.js';
import { TODAY, TOMORROW } from '../../support/clinicFixture.js';
import { doctor, slot, textOf } from '../../support/engineHarness.js';
import { book, bookAs, createAdminSetup, said, type AdminSetup } from './adminHarness.js';

let s: AdminSetup;
beforeEach(async () => {
  s = await createAdminSetup();
});
afterEach(async () => s.close());

function texts(replies: Outbound[] | undefined): string[] {
  return (replies ?? []).map((r) => ('text' in r ? r.text : ''));
}

describe('/today and /appointments', () => {
  it("lists the day's appointments per doctor, in time order, with id, patient, phone, status and payment", async () => {
    const late = await book(s.h, 'p-late', { name: 'Ravi Kumar', phone: '+91 91234 56789', time: '12:30 PM' });
    const early = await book(s.h, 'p-early', { name: 'Asha Rao', time: '11:00 AM' });
    await s.h.store.upsertDoctor(doctor('DERM', { name: 'Dr. Karan Shah', specialty: 'Dermatology', fee: 800 }));
    await s.h.store.upsertSlot(slot('derm-1', 'DERM', TODAY, '11:00'));
    const derm = await s.h.store.holdSlot(
      { conversation: { channel: 'telegram', chatId: '5550001' }, patient: { name: 'Zoya Khan', phone: '+919800000001', age: 30, gender: 'FEMALE' }, purpose: 'rash', slotId: 'derm-1', holdExpiresAt: new Date(s.h.clock.now().getTime() + 20 * 60_000) },
      s.h.clock.now(),
    );
    await s.h.store.updateAppointment(late.id, { patientConfirmedAt: s.h.clock.now().toISOString() }, s.h.clock.now());
    const text = said(await s.admin('/today'));
    expect(text).toBe(
      [
        'Appointments on Sat, 21 Nov 2026 (3):',
        '',
        'Dr. Karan Shah (DERM): 1 booked',
        `  11:00 AM · ${derm.id} · Zoya Khan · +919800000001 · held (awaiting payment) · no payment yet, ₹800`,
        '',
        'Dr. Meera Iyer (GP): 2 booked',
        `  11:00 AM · ${early.id} · Asha Rao · +919876543210 · confirmed · to pay at clinic ₹500`,
        `  12:30 PM · ${late.id} · Ravi Kumar · +919123456789 · confirmed · ✓ patient confirmed · to pay at clinic ₹500`,
      ].join('\n'),
    );
    expect(said(await s.admin('/appointments today'))).toBe(text);
    expect(said(await s.admin('/appointments 21/11'))).toBe(text);
    expect(said(await s.admin('/appointments 2026-11-21'))).toBe(text);
  });

  it('shows another day, counts cancelled ones apart, and leaves lapsed holds out', async () => {
    const tomorrow = await book(s.h, 'p-tomorrow', { time: '10:00 AM' });
    const cancelled = await book(s.h, 'p-cancelled', { name: 'Ravi Kumar', time: '10:00 AM' });
    await s.h.store.updateAppointment(cancelled.id, { status: 'CANCELLED' }, s.h.clock.now());
    const text = said(await s.admin('/appointments tomorrow'));
    expect(text).toContain('Appointments on Sun, 22 Nov 2026 (2):');
    expect(text).toContain('Dr. Meera Iyer (GP): 1 booked, 1 cancelled');
    expect(text).toContain(`${tomorrow.id} · Asha Rao`);
    expect(text).toContain(`${cancelled.id} · Ravi Kumar · +919876543210 · cancelled`);
    expect(said(await s.admin('/appointments 22/11/2026'))).toBe(text);
    expect(said(await s.admin('/today'))).toBe('Appointments on Sat, 21 Nov 2026: none.');

    const p = s.h.patient('abandoned');
    await p.say('hi');
    await p.tap('Book an appointment');
    await p.say('Gita Sen');
    await p.say('98000 11111');
    await p.say('40');
    await p.tap('Female');
    await p.say('Checkup');
    await p.tap('Meera');
    await p.tap('11:30 AM');
    expect(said(await s.admin('/today'))).toContain('Gita Sen · +919800011111 · held (awaiting payment)');
    s.h.clock.advanceMinutes(21);
    await s.h.store.expireHolds(s.h.clock.now());
    expect(said(await s.admin('/today'))).not.toContain('Gita Sen');
  });

  it('masks phones when the console is set to', async () => {
    s.restart({ fullPhones: false });
    await book(s.h, 'p1');
    expect(said(await s.admin('/today'))).toContain('Asha Rao · +91******3210 · confirmed');
  });

  it('pages a long day into messages under 4096 characters', async () => {
    for (let i = 0; i < 150; i += 1) {
      const id = `bulk-${i}`;
      const minutes = 8 * 60 + i;
      await s.h.store.upsertSlot(slot(id, 'GP', TOMORROW, `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`));
      await s.h.store.holdSlot(
        { conversation: { channel: 'web', chatId: `bulk-chat-${i}` }, patient: { name: `Patient Number ${i}`, phone: `+9198000${String(10000 + i)}`, age: 40, gender: 'MALE' }, purpose: 'x', slotId: id, holdExpiresAt: new Date(s.h.clock.now().getTime() + 60 * 60_000) },
        s.h.clock.now(),
      );
    }
    const replies = await s.admin('/appointments tomorrow');
    expect(replies!.length).toBeGreaterThan(1);
    expect(replies!.length).toBeLessThanOrEqual(4);
    for (const text of texts(replies)) expect(text.length).toBeLessThan(4096);
    const all = texts(replies).join('\n');
    expect(all).toContain('Patient Number 0 ');
    expect(all).toMatch(/… and \d+ more lines\. Use \/slots <doctor> <date> or \/find to narrow it\./);
  });
});

describe('/find', () => {
  it('finds by phone in any format, by part of the number, by name, fuzzy name and id', async () => {
    const asha = await book(s.h, 'p1', { name: 'Asha Rao', phone: '98765 43210' });
    const ravi = await book(s.h, 'p2', { name: 'Ravi Kumar', phone: '+91 91234 56789', time: '11:30 AM' });
    for (const query of ['+91 98765 43210', '098765-43210', '919876543210', '(987) 654-3210']) {
      const text = said(await s.admin(`/find ${query}`));
      expect(text, query).toContain(`1 appointment found`);
      expect(text, query).toContain(`${asha.id} · Asha Rao · +919876543210 · Dr. Meera Iyer · confirmed`);
    }
    expect(said(await s.admin('/find 3210'))).toContain(asha.id);
    expect(said(await s.admin('/find ASHA'))).toContain(asha.id);
    expect(said(await s.admin('/find kumar'))).toContain(ravi.id);
    expect(said(await s.admin('/find Rvai Kumar'))).toContain(ravi.id);
    expect(said(await s.admin(`/find ${ravi.id.toLowerCase()}`))).toContain(ravi.id);
    expect(said(await s.admin('/find 2026-11-21'))).toContain('No appointments match.');
    expect(said(await s.admin('/find 12'))).toContain('at least 4 digits');
    expect(said(await s.admin('/find Nobody Here'))).toBe('No appointments match.');
  });
});

describe('/cancel', () => {
  it('cancels, frees the slot and tells the patient once on their own channel', async () => {
    const appointment = await book(s.h, '5550123', { channel: 'telegram' });
    const reply = said(await s.admin(`/cancel ${appointment.id} Doctor is unwell`));
    expect(reply).toBe(
      `Cancelled ${appointment.id} (Asha Rao, Dr. Meera Iyer, Sat, 21 Nov 2026 at 11:00 AM). The slot is free again.\nThe patient is told on Telegram.`,
    );
    expect((await s.h.store.getAppointment(appointment.id))?.status).toBe('CANCELLED');

    const route = { channel: 'telegram' as const, chatId: '5550123' };
    const pushed = (await s.h.outbox.listAfter(route, 0, 100)).filter((e) => e.inReplyTo === null);
    expect(pushed).toHaveLength(1);
    expect(pushed[0]!.state).toBe('pending');
    expect(pushed[0]!.message).toEqual({
      kind: 'text',
      text:
        `Your appointment ${appointment.id} with Dr. Meera Iyer on Sat, 21 Nov 2026 at 11:00 AM has been cancelled by Test Clinic.\n` +
        'Reason: Doctor is unwell\n' +
        'We are sorry for the trouble. To book another time, send "menu". Questions: +91 80 1234 5678.',
    });

    // Again: nothing changes and the patient is not told twice.
    expect(said(await s.admin(`/cancel ${appointment.id}`))).toBe(`${appointment.id} is cancelled; nothing was changed.`);
    expect((await s.h.outbox.listAfter(route, 0, 100)).filter((e) => e.inReplyTo === null)).toHaveLength(1);

    // The 11:00 place is offered to the next patient.
    const next = await book(s.h, 'next-patient', { name: 'Ravi Kumar', time: '11:00 AM' });
    expect(next.slotId).toBe(appointment.slotId);
  });

  it('a paid appointment becomes REFUND_DUE and the reply and the patient say so', async () => {
    const appointment = await book(s.h, 'web-patient-1');
    await s.h.store.updateAppointment(appointment.id, { paymentMode: 'ONLINE', paymentStatus: 'PAID', paymentId: 'pay_123' }, s.h.clock.now());
    const reply = said(await s.admin(`/cancel ${appointment.id}`));
    expect(reply).toContain('The patient is told on the web chat.');
    expect(reply).toContain(`It was paid (₹500): a refund is now due. See /refunds; mark it with /refunded ${appointment.id}.`);
    const stored = await s.h.store.getAppointment(appointment.id);
    expect(stored).toMatchObject({ status: 'CANCELLED', paymentStatus: 'REFUND_DUE', notes: 'Cancelled by the clinic' });
    const [push] = await s.h.outbox.listAfter({ channel: 'web', chatId: 'web-patient-1' }, 0, 100).then((e) => e.filter((x) => x.inReplyTo === null));
    expect(push?.message.kind === 'text' && push.message.text).toContain('Your payment of ₹500 will be refunded to the original payment method.');
  });

  it('refuses unknown ids and finished appointments', async () => {
    expect(said(await s.admin('/cancel APT-NOTHERE'))).toBe('No appointment APT-NOTHERE. Find it with /find <phone or name>.');
    const appointment = await book(s.h, 'p1');
    s.h.clock.advanceMinutes(61); // the 11:00 appointment has started
    await s.admin(`/done ${appointment.id}`);
    expect(said(await s.admin(`/cancel ${appointment.id}`))).toBe(`${appointment.id} is done; nothing was changed.`);
  });
});

describe('/paid, /done, /refunds, /refunded', () => {
  it('/paid records cash, calls the invoice hook once, and refuses a second time', async () => {
    const appointment = await book(s.h, 'p1');
    expect(said(await s.admin(`/paid ${appointment.id}`))).toBe(
      `${appointment.id} (Asha Rao) is marked paid at the clinic: ₹500.\nThe invoice is on its way to the patient.`,
    );
    expect(await s.h.store.getAppointment(appointment.id)).toMatchObject({ paymentMode: 'CLINIC', paymentStatus: 'PAID' });
    expect(s.paidAtClinic.map((a) => [a.id, a.paymentStatus])).toEqual([[appointment.id, 'PAID']]);
    expect(said(await s.admin(`/paid ${appointment.id}`))).toBe(`${appointment.id} is already paid; nothing was changed.`);
    expect(s.paidAtClinic).toHaveLength(1);
  });

  it('/paid keeps the payment when the invoice hook fails, and says so', async () => {
    s.restart({ onPaidAtClinic: async () => Promise.reject(new Error('renderer down')) });
    const appointment = await book(s.h, 'p1');
    const text = said(await s.admin(`/paid ${appointment.id}`));
    expect(text).toContain('is marked paid at the clinic');
    expect(text).toContain('the invoice could not be issued just now');
    expect((await s.h.store.getAppointment(appointment.id))?.paymentStatus).toBe('PAID');
  });

  it('/paid confirms a booking still held for online payment, and refuses cancelled ones', async () => {
    const held = await s.h.store.holdSlot(
      { conversation: { channel: 'web', chatId: 'walk-in' }, patient: { name: 'Gita Sen', phone: '+919800011111', age: 40, gender: 'FEMALE' }, purpose: 'x', slotId: 's1330', holdExpiresAt: new Date(s.h.clock.now().getTime() + 20 * 60_000) },
      s.h.clock.now(),
    );
    await s.admin(`/paid ${held.id}`);
    expect(await s.h.store.getAppointment(held.id)).toMatchObject({ status: 'CONFIRMED', paymentMode: 'CLINIC', paymentStatus: 'PAID' });
    const appointment = await book(s.h, 'p1');
    await s.admin(`/cancel ${appointment.id}`);
    expect(said(await s.admin(`/paid ${appointment.id}`))).toBe(`${appointment.id} is cancelled; nothing was changed.`);
  });

  it('/done marks an attended appointment completed once it has started, also after a no-show mark', async () => {
    const appointment = await book(s.h, 'p1');
    expect(said(await s.admin(`/done ${appointment.id}`))).toBe(
      `${appointment.id} (Asha Rao) is on Sat, 21 Nov 2026 at 11:00 AM: it can be marked done once it has started. Nothing was changed.`,
    );
    expect((await s.h.store.getAppointment(appointment.id))?.status).toBe('CONFIRMED');
    s.h.clock.advanceMinutes(60); // 11:00, its start
    expect(said(await s.admin(`/done ${appointment.id}`))).toBe(`${appointment.id} (Asha Rao, Sat, 21 Nov 2026 at 11:00 AM) is marked done.`);
    expect((await s.h.store.getAppointment(appointment.id))?.status).toBe('COMPLETED');
    expect(said(await s.admin(`/done ${appointment.id}`))).toBe(`${appointment.id} is done; nothing was changed.`);
    const other = await book(s.h, 'p2', { time: '11:30 AM' });
    await s.h.store.updateAppointment(other.id, { status: 'NO_SHOW' }, s.h.clock.now());
    await s.admin(`/done ${other.id}`);
    expect((await s.h.store.getAppointment(other.id))?.status).toBe('COMPLETED');
  });

  it('/refunds lists what is due and /refunded marks it refunded', async () => {
    expect(said(await s.admin('/refunds'))).toBe('No refunds are due.');
    const appointment = await book(s.h, 'p1');
    await s.h.store.updateAppointment(appointment.id, { paymentMode: 'ONLINE', paymentStatus: 'PAID', paymentId: 'pay_9' }, s.h.clock.now());
    await s.admin(`/cancel ${appointment.id}`);
    const list = said(await s.admin('/refunds'));
    expect(list).toContain('1 refund due, ₹500 in all:');
    expect(list).toContain(`${appointment.id} · Asha Rao · +919876543210 · Dr. Meera Iyer · cancelled · REFUND DUE ₹500 · payment pay_9`);
    expect(said(await s.admin(`/refunded ${appointment.id}`))).toBe(`${appointment.id} (Asha Rao): refund of ₹500 recorded.`);
    expect((await s.h.store.getAppointment(appointment.id))?.paymentStatus).toBe('REFUNDED');
    expect(said(await s.admin('/refunds'))).toBe('No refunds are due.');
    expect(said(await s.admin(`/refunded ${appointment.id}`))).toContain('has no refund due (payment: REFUNDED)');
  });
});

describe('/doctors and /slots', () => {
  it('/doctors lists every doctor with id, specialty, fee and whether bookable', async () => {
    expect(said(await s.admin('/doctors'))).toBe(
      [
        '3 doctors:',
        'DERM · Dr. Karan Shah · Dermatology · ₹800',
        'GP · Dr. Meera Iyer · General Physician · ₹500',
        'OLD · Dr. Old · General Physician · ₹500 · inactive (not bookable)',
      ].join('\n'),
    );
  });

  it("/slots shows a doctor's day by id or fuzzy name with places taken and status", async () => {
    await book(s.h, 'p1', { time: '10:00 AM' });
    const expected = ['Dr. Meera Iyer (GP) on Sun, 22 Nov 2026, 1 slots:', '10:00 AM–10:30 AM · tomorrow · 1/2 taken · OPEN'].join('\n');
    for (const query of ['GP tomorrow', 'gp 22/11', 'meera tomorrow', 'Dr Meera Iyer 2026-11-22', 'meara tomorrow']) {
      expect(said(await s.admin(`/slots ${query}`)), query).toBe(expected);
    }
    const today = said(await s.admin('/slots meera'));
    expect(today).toContain('Dr. Meera Iyer (GP) on Sat, 21 Nov 2026, 7 slots:');
    expect(today).toContain('12:00 PM–12:30 PM · blocked · 0/1 taken · BLOCKED');
    expect(said(await s.admin('/slots karan'))).toBe('Dr. Karan Shah (DERM) on Sat, 21 Nov 2026: no slots.');
    expect(said(await s.admin('/slots dr'))).toContain('"dr" matches several doctors');
    expect(said(await s.admin('/slots zzzz'))).toBe('No doctor matches "zzzz". See /doctors for names and ids.');
    expect(said(await s.admin('/slots meera 31/02'))).toContain('"31/02" is not a date');
  });

  it('/slots lists candidates when a name matches several doctors', async () => {
    await s.h.store.upsertDoctor(doctor('GP2', { name: 'Dr. Meera Nair' }));
    expect(said(await s.admin('/slots meera'))).toBe('"meera" matches several doctors: Dr. Meera Iyer (GP), Dr. Meera Nair (GP2). Use the id.');
  });
});

describe('/block and /unblock', () => {
  it("blocks a doctor's whole day and lists the patients still booked, without dropping them", async () => {
    const asha = await book(s.h, 'p1', { name: 'Asha Rao', time: '11:00 AM' });
    const ravi = await book(s.h, 'p2', { name: 'Ravi Kumar', phone: '91234 56789', time: '1:00 PM' });
    const text = said(await s.admin('/block meera today'));
    expect(text).toBe(
      [
        'Blocked 7 slots of Dr. Meera Iyer on Sat, 21 Nov 2026. (1 was already blocked.) New bookings there are refused.',
        '',
        '⚠️ 2 patients are still booked there (the block does not cancel them). Call them, or cancel with /cancel <id> <reason>:',
        `11:00 AM · ${asha.id} · Asha Rao · +919876543210 · confirmed · to pay at clinic ₹500`,
        `1:00 PM · ${ravi.id} · Ravi Kumar · +919123456789 · confirmed · to pay at clinic ₹500`,
      ].join('\n'),
    );
    const usages = await s.h.store.listSlotUsage({ doctorId: 'GP', fromDate: TODAY, toDate: TODAY, now: s.h.clock.now() });
    expect(usages.map((u) => u.slot.status)).toEqual(Array(7).fill('BLOCKED'));
    expect((await s.h.store.getAppointment(asha.id))?.status).toBe('CONFIRMED');
    // Tomorrow is untouched, and patients can no longer pick today's times.
    expect((await s.h.store.getSlot('tomorrow'))?.status).toBe('OPEN');
    const p = s.h.patient('late-comer');
    await p.say('hi');
    await p.tap('Book an appointment');
    await p.say('Gita Sen');
    await p.say('98000 11111');
    await p.say('40');
    await p.tap('Female');
    await p.say('Checkup');
    const slots = await p.tap('Meera');
    expect(textOf(slots)).not.toContain('11:30 AM');

    expect(said(await s.admin('/unblock GP 21/11'))).toBe('Opened 7 slots of Dr. Meera Iyer on Sat, 21 Nov 2026.');
    expect((await s.h.store.getSlot('s1130'))?.status).toBe('OPEN');
  });

  it('blocks and opens one slot by id, listing its patient', async () => {
    const asha = await book(s.h, 'p1');
    const text = said(await s.admin(`/block ${asha.slotId}`));
    expect(text).toContain(`Blocked slot ${asha.slotId} (Sat, 21 Nov 2026, 11:00 AM–11:30 AM). New bookings there are refused.`);
    expect(text).toContain('⚠️ 1 patient is still booked there');
    expect(text).toContain(asha.id);
    expect((await s.h.store.getSlot(asha.slotId))?.status).toBe('BLOCKED');
    expect(said(await s.admin('/block s1130'))).not.toContain('⚠️');
    expect(said(await s.admin(`/unblock ${asha.slotId}`))).toBe(`Opened slot ${asha.slotId} (Sat, 21 Nov 2026, 11:00 AM–11:30 AM).`);
    expect((await s.h.store.getSlot(asha.slotId))?.status).toBe('OPEN');
  });

  it('needs a slot id or a doctor and a date', async () => {
    expect(said(await s.admin('/block'))).toContain('Usage: /block <slot id> | <doctor> <date>');
    expect(said(await s.admin('/block meera'))).toContain('No slot with id "meera"');
    expect(said(await s.admin('/block karan today'))).toBe('Dr. Karan Shah has no slots on Sat, 21 Nov 2026; nothing was changed.');
    expect((await s.h.store.getSlot('s1100'))?.status).toBe('OPEN');
  });
});

describe('/report', () => {
  it('sends the stored report files as documents', async () => {
    const p = s.h.patient('uploader');
    const appointment = await bookAs(s.h, p);
    await p.tap('Upload a report');
    await p.sendFile(SMALL_PDF, 'blood test.pdf', 'application/pdf');
    await p.sendFile(TINY_PNG, 'x-ray.png', 'image/png');

    const replies = await s.admin(`/report ${appointment.id}`);
    expect(texts(replies)[0]).toBe(`${appointment.id} (Asha Rao): 2 reports.`);
    const documents = replies!.filter((r): r is Extract<Outbound, { kind: 'document' }> => r.kind === 'document');
    expect(documents.map((d) => [d.fileName, d.mime])).toEqual([
      [`${appointment.id}-report-1.pdf`, 'application/pdf'],
      [`${appointment.id}-report-2.png`, 'image/png'],
    ]);
    expect(Buffer.from(documents[0]!.bytes).equals(SMALL_PDF)).toBe(true);
    expect(Buffer.from(documents[1]!.bytes).equals(TINY_PNG)).toBe(true);
    expect(documents[0]!.caption).toBe(`${appointment.id} · Asha Rao · report 1 of 2 (received 2026-11-21)`);
  });

  it('says when there are none or a file is gone', async () => {
    const appointment = await book(s.h, 'p1');
    expect(said(await s.admin(`/report ${appointment.id}`))).toBe(`${appointment.id} (Asha Rao) has no reports.`);
    await s.h.store.addReport(appointment.id, { id: 'r1', path: `${appointment.id}/missing.pdf`, mime: 'application/pdf', size: 10, receivedAt: s.h.clock.now().toISOString() }, s.h.clock.now());
    expect(said(await s.admin(`/report ${appointment.id}`))).toBe(`${appointment.id} (Asha Rao): 0 reports. Report 1 could not be read from storage.`);
  });
});

describe('/stats', () => {
  it('counts bookings by status, channel and doctor, and what was paid for them, every line adding up to the total', async () => {
    const web = await book(s.h, 'p1');
    const telegram = await book(s.h, '5550001', { channel: 'telegram', name: 'Ravi Kumar', time: '11:30 AM' });
    const third = await book(s.h, 'p3', { name: 'Gita Sen', time: '12:30 PM' });
    await s.h.store.updateAppointment(web.id, { paymentMode: 'ONLINE', paymentStatus: 'PAID' }, s.h.clock.now());
    await s.admin(`/paid ${telegram.id}`);
    await s.admin(`/cancel ${third.id}`);
    const lapsed = await s.h.store.holdSlot(
      { conversation: { channel: 'web', chatId: 'p4' }, patient: { name: 'Hari Lal', phone: '+919800022222', age: 50, gender: 'MALE' }, purpose: 'x', slotId: 's1330', holdExpiresAt: s.h.clock.now() },
      s.h.clock.now(),
    );
    await s.h.store.updateAppointment(lapsed.id, { status: 'EXPIRED', holdExpiresAt: null }, s.h.clock.now());
    const text = said(await s.admin('/stats'));
    expect(text).toBe(
      [
        'Bookings made in the last 7 days (since Sat, 14 Nov 2026):',
        'Bookings: 3',
        'By status: confirmed 2 · cancelled 1',
        'By channel: web chat 2 · Telegram 1',
        'By doctor: Dr. Meera Iyer 3',
        'Paid for these bookings: online ₹500 (1) · at the clinic ₹500 (1) · total ₹1,000',
        'Times held but never confirmed (not counted above): 1',
      ].join('\n'),
    );
    s.h.clock.advanceMinutes(3 * 24 * 60);
    expect(said(await s.admin('/stats 2'))).toContain('Bookings: 0');
    expect(said(await s.admin('/stats 30'))).toContain('Bookings: 3');
  });
});

describe('/undelivered', () => {
  it('lists undeliverable messages with channel, masked chat, reason and time', async () => {
    expect(said(await s.admin('/undelivered'))).toBe('Every message was delivered (none undeliverable).');
    const [entry] = await s.h.outbox.push({ channel: 'telegram', chatId: '5550987654' }, [{ kind: 'text', text: 'Reminder' }], s.h.clock.now());
    await s.h.outbox.markUndeliverable(entry!.id, '403: Forbidden: bot was blocked by the user', s.h.clock.now());
    expect(said(await s.admin('/undelivered'))).toBe(
      ['1 undeliverable message, newest first:', '21 Nov 10:00 · Telegram · chat 5550… · 403: Forbidden: bot was blocked by the user · text'].join('\n'),
    );
  });

  it('names the patient of a chat they booked from', async () => {
    const appointment = await book(s.h, '5550001', { channel: 'telegram', name: 'Ravi Kumar' });
    const [entry] = await s.h.outbox.push({ channel: 'telegram', chatId: '5550001' }, [{ kind: 'text', text: 'Reminder' }], s.h.clock.now());
    await s.h.outbox.markUndeliverable(entry!.id, '403: Forbidden: bot was blocked by the user', s.h.clock.now());
    expect(said(await s.admin('/undelivered'))).toContain(`21 Nov 10:00 · Telegram · Ravi Kumar (${appointment.id}) · 403: Forbidden: bot was blocked by the user · text`);
  });
});

describe('/help', () => {
  it('lists every command with how to type it', async () => {
    const text = said(await s.admin('/help'));
    expect(text).toContain('/cancel <appointment id> [reason] — Cancel an appointment, free its slot and tell the patient');
    expect(text).toContain('/block <slot id> | <doctor> <date>');
    expect(text).toContain('Dates: today, tomorrow, 21/11, 21/11/2026 or 2026-11-21.');
    expect(text).not.toContain('/login');
    expect(text.length).toBeLessThan(4096);
  });
});

describe('/block and /unblock when nothing changes', () => {
  it('says that every slot was already blocked or open, and changes nothing', async () => {
    expect(said(await s.admin('/block meera today'))).toBe(
      'Blocked 7 slots of Dr. Meera Iyer on Sat, 21 Nov 2026. (1 was already blocked.) New bookings there are refused.',
    );
    expect(said(await s.admin('/block meera today'))).toBe('Nothing changed: all 7 slots of Dr. Meera Iyer on Sat, 21 Nov 2026 were already blocked.');
    expect(said(await s.admin('/block blocked'))).toBe('Nothing changed: slot blocked (Sat, 21 Nov 2026, 12:00 PM–12:30 PM) was already blocked.');
    expect(said(await s.admin('/unblock GP 21/11'))).toBe('Opened 7 slots of Dr. Meera Iyer on Sat, 21 Nov 2026.');
    expect(said(await s.admin('/unblock GP 21/11'))).toBe('Nothing changed: all 7 slots of Dr. Meera Iyer on Sat, 21 Nov 2026 were already open.');
    expect(said(await s.admin('/unblock tomorrow'))).toBe('Nothing changed: slot tomorrow (Sun, 22 Nov 2026, 10:00 AM–10:30 AM) was already open.');
    const usages = await s.h.store.listSlotUsage({ doctorId: 'GP', fromDate: TODAY, toDate: TODAY, now: s.h.clock.now() });
    expect(usages.map((u) => u.slot.status)).toEqual(Array(7).fill('OPEN'));
  });

  it('still lists the patients booked in a day that was already blocked', async () => {
    const asha = await book(s.h, 'p1', { name: 'Asha Rao', time: '11:00 AM' });
    await s.admin('/block meera today');
    const again = said(await s.admin('/block meera today'));
    expect(again).toMatch(/^Nothing changed: all 7 slots of Dr\. Meera Iyer on Sat, 21 Nov 2026 were already blocked\.\n/);
    expect(again).toContain('⚠️ 1 patient is still booked there');
    expect(again).toContain(asha.id);
  });
});

describe('a date that is not one after a doctor', () => {
  const notADate = (word: string) => `"${word}" is not a date. Type e.g. today, tomorrow, 21/11, 21/11/2026 or 2026-11-21.`;

  it('/block, /unblock and /slots say which word is not a date', async () => {
    expect(said(await s.admin('/block meera banana'))).toBe(`${notADate('banana')}\nUsage: /block <slot id> | <doctor> <date>`);
    expect(said(await s.admin('/unblock karan banana'))).toBe(`${notADate('banana')}\nUsage: /unblock <slot id> | <doctor> <date>`);
    expect(said(await s.admin('/slots meera banana'))).toBe(`${notADate('banana')}\nUsage: /slots <doctor> [date]`);
    // Even when the whole text is close enough to a name to be taken for a typo of it.
    expect(said(await s.admin('/slots meera foo'))).toBe(`${notADate('foo')}\nUsage: /slots <doctor> [date]`);
    expect(said(await s.admin('/block dr meera iyer 31/02'))).toContain(notADate('31/02'));
    expect((await s.h.store.getSlot('s1100'))?.status).toBe('OPEN');
  });

  it('still reads a name of several words, and asks for the day a /block needs', async () => {
    expect(said(await s.admin('/slots meera iyer'))).toContain('Dr. Meera Iyer (GP) on Sat, 21 Nov 2026, 7 slots:');
    expect(said(await s.admin('/slots dr karan shah'))).toBe('Dr. Karan Shah (DERM) on Sat, 21 Nov 2026: no slots.');
    expect(said(await s.admin('/block meera iyer'))).toBe(
      'Say which day of Dr. Meera Iyer (the whole day is changed), e.g. today or 21/11.\nUsage: /block <slot id> | <doctor> <date>',
    );
    expect(said(await s.admin('/slots nobody here'))).toBe('No doctor matches "nobody here". See /doctors for names and ids.');
  });
});

describe('doctors by part of the id or by specialty', () => {
  it('finds the one doctor a partial id or a specialty names, and lists them when several do', async () => {
    await s.h.store.upsertDoctor(doctor('SAMPLE-PED', { name: 'Dr. Priya Nair', specialty: 'Pediatrics' }));
    await s.h.store.upsertSlot(slot('ped-1', 'SAMPLE-PED', TOMORROW, '09:30'));
    const ped = ['Dr. Priya Nair (SAMPLE-PED) on Sun, 22 Nov 2026, 1 slots:', '9:30 AM–10:00 AM · ped-1 · 0/1 taken · OPEN'].join('\n');
    for (const query of ['PED tomorrow', 'ped 22/11', 'sample tomorrow', 'pediatrics tomorrow', 'PEDIATRICS 22/11']) {
      expect(said(await s.admin(`/slots ${query}`)), query).toBe(ped);
    }
    expect(said(await s.admin('/slots dermatology'))).toBe('Dr. Karan Shah (DERM) on Sat, 21 Nov 2026: no slots.');
    expect(said(await s.admin('/slots derma'))).toBe('Dr. Karan Shah (DERM) on Sat, 21 Nov 2026: no slots.');
    // Two doctors are General Physicians: both are listed, none is guessed.
    expect(said(await s.admin('/slots general tomorrow'))).toBe('"general" matches several doctors: Dr. Meera Iyer (GP), Dr. Old (OLD). Use the id.');
    expect(said(await s.admin('/block physician today'))).toContain('"physician" matches several doctors');
    expect((await s.h.store.getSlot('s1100'))?.status).toBe('OPEN');
  });

  it('reads a specialty by its initials, and a name still comes before an id or a specialty', async () => {
    await s.h.store.upsertDoctor(doctor('OLD', { name: 'Dr. Old', specialty: 'Orthopaedics', active: false }));
    await s.h.store.upsertDoctor(doctor('SAMPLE-ENT', { name: 'Dr. Ravi Dermani', specialty: 'Ear Nose Throat' }));
    expect(said(await s.admin('/slots gp tomorrow'))).toContain('Dr. Meera Iyer (GP) on Sun, 22 Nov 2026');
    expect(said(await s.admin('/slots general physician tomorrow'))).toContain('Dr. Meera Iyer (GP) on Sun, 22 Nov 2026');
    expect(said(await s.admin('/slots ent'))).toBe('Dr. Ravi Dermani (SAMPLE-ENT) on Sat, 21 Nov 2026: no slots.');
    expect(said(await s.admin('/slots throat'))).toBe('Dr. Ravi Dermani (SAMPLE-ENT) on Sat, 21 Nov 2026: no slots.');
    // "derma" is part of Dr. Dermani's name and of Dr. Shah's specialty: the name comes first.
    expect(said(await s.admin('/slots derma'))).toBe('Dr. Ravi Dermani (SAMPLE-ENT) on Sat, 21 Nov 2026: no slots.');
    expect(said(await s.admin('/slots dermatology'))).toBe('Dr. Karan Shah (DERM) on Sat, 21 Nov 2026: no slots.');
  });
});
