/**
 * Razorpay payment outcomes through the engine on a Telegram chat (the outbox entries are what the
 * Telegram sender would deliver): the whole online booking, duplicate and out-of-order deliveries,
 * expiry, failures, late payments, amount mismatches and reconciliation of a missed webhook.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { menuLabels, textOf } from '../../support/engineHarness.js';
import { stateOf, walkTo } from '../../support/clinicFixture.js';
import { deliver, signedDelivery } from '../../support/razorpayEmulator.js';
import { createPaymentHarness, WEBHOOK_SECRET, type PaymentHarness } from './paymentHarness.js';

let t: PaymentHarness;
beforeEach(async () => {
  t = await createPaymentHarness({ channel: 'telegram' });
});
afterEach(async () => t.close());

const telegram = (chatId: string) => ({ channel: 'telegram' as const, chatId });

describe('a whole online booking on Telegram', () => {
  it('offers online payment, sends the link as a button, and confirms on the signed paid webhook', async () => {
    const p = t.h.patient('tg-1', { channel: 'telegram' });
    await walkTo(p, 'SELECTING_PAYMENT_MODE');
    expect(menuLabels(await p.say('hi there'))).toEqual(['Pay at the clinic', 'Pay online now']);
    const replies = await p.tap('Pay online now');
    const link = replies.find((r) => r.kind === 'link');
    expect(link).toMatchObject({ kind: 'link', label: 'Pay ₹500' });
    expect(menuLabels(replies)).toEqual(['Pay at the clinic instead', 'Cancel this booking']);
    expect(await stateOf(t.h, p)).toBe('AWAITING_PAYMENT');

    const [held] = await t.h.store.listAppointments({ conversation: p.ref });
    const emulated = t.razorpay.linkFor(held!.id);
    expect(link && 'url' in link ? link.url : '').toBe(emulated.short_url);

    expect(await t.send(t.razorpay.pay(emulated.id))).toBe(200);
    const confirmed = await t.h.store.getAppointment(held!.id);
    expect(confirmed).toMatchObject({ status: 'CONFIRMED', paymentMode: 'ONLINE', paymentStatus: 'PAID', invoiceNo: 'INV-2026-000001' });
    expect(confirmed!.paymentId).toMatch(/^pay_/);

    const pushes = await t.pushes(telegram('tg-1'));
    expect(pushes.map((e) => e.message.kind)).toEqual(['text', 'document', 'document']);
    expect(pushes.every((e) => e.state === 'pending')).toBe(true); // the Telegram sender delivers them
    expect(pushes.map((e) => (e.message.kind === 'document' ? e.message.fileName : ''))).toEqual([
      '',
      `confirmation-${held!.id}.pdf`,
      'invoice-INV-2026-000001.pdf',
    ]);
    expect((await t.adminTexts()).filter((text) => text.includes('Paid online'))).toHaveLength(1);

    // Still on the payment step: whatever the patient says next, they move on.
    const next = await p.tap('Pay at the clinic instead');
    expect(textOf(next)).toContain('Your payment has arrived');
    expect(await stateOf(t.h, p)).toBe('AWAITING_REPORT_CHOICE');
    expect((await t.h.store.getAppointment(held!.id))?.paymentStatus).toBe('PAID');
  });

  it('a free visit (fee 0) is confirmed with one tap: nothing to pay online, no link made', async () => {
    const gp = await t.h.store.getDoctor('GP');
    await t.h.store.upsertDoctor({ ...gp!, fee: 0 });
    const p = t.h.patient('tg-free', { channel: 'telegram' });
    await walkTo(p, 'SELECTING_SLOT');
    const menu = await p.tap('11:00 AM');
    expect(textOf(menu)).toContain('There is no fee for this visit.');
    expect(menuLabels(menu)).toEqual(['Confirm the booking']);
    expect(textOf(await p.say('online'))).toContain('There is no fee for this visit.');
    const confirmed = await p.tap('Confirm the booking');
    expect(textOf(confirmed)).toContain('Fee: no fee');
    expect(await stateOf(t.h, p)).toBe('AWAITING_REPORT_CHOICE');
    expect(t.razorpay.links.size).toBe(0);
    const [appointment] = await t.h.store.listAppointments({ conversation: p.ref });
    expect(appointment).toMatchObject({ status: 'CONFIRMED', fee: 0 });
  });

  it('"cancel" after the payment arrived says the appointment stays booked', async () => {
    const p = t.h.patient('tg-2', { channel: 'telegram' });
    const id = await t.bookOnline(p);
    await t.send(t.razorpay.pay(t.razorpay.linkFor(id).id));
    expect(textOf(await p.say('cancel'))).toContain('Your appointment stays booked');
    expect((await t.h.store.getAppointment(id))?.status).toBe('CONFIRMED');
  });
});

describe('each event takes effect once', () => {
  it('the same paid event 10 times, re-serialised, and before other events: one confirmation, one invoice, one message', async () => {
    const p = t.h.patient('tg-3', { channel: 'telegram' });
    const id = await t.bookOnline(p);
    const linkId = t.razorpay.linkFor(id).id;
    const failed = t.razorpay.failPayment(linkId);
    const paid = t.razorpay.pay(linkId);

    // Ten deliveries of one event at once (same event id), then the same event with other whitespace
    // under the same id and under new ids (each with its own signature over its own bytes).
    const statuses = await Promise.all([
      ...Array.from({ length: 10 }, () => t.send(paid, { eventId: 'evt_paid_1' })),
      t.send(paid, { eventId: 'evt_paid_1', indent: 2 }),
      t.send(paid, { eventId: 'evt_paid_2', indent: 4 }),
      t.send(paid, { indent: 1 }),
    ]);
    expect(statuses.every((s) => s === 200)).toBe(true);
    // Older news arriving after the payment changes nothing.
    expect(await t.send(failed)).toBe(200);
    expect(await t.send(t.razorpay.expire(linkId))).toBe(200);
    expect(await t.send(t.razorpay.cancelledEvent(linkId))).toBe(200);

    const appointment = await t.h.store.getAppointment(id);
    expect(appointment).toMatchObject({ status: 'CONFIRMED', paymentStatus: 'PAID', invoiceNo: 'INV-2026-000001' });
    const pushes = await t.pushes(telegram('tg-3'));
    expect(pushes.map((e) => e.message.kind)).toEqual(['text', 'document', 'document']);
    expect((await t.adminTexts()).filter((text) => text.includes('Paid online'))).toHaveLength(1);
    const invoices = t.h.db.prepare('SELECT COUNT(*) AS n FROM invoices').get() as { n: number };
    expect(invoices.n).toBe(1);
    expect(t.h.db.prepare('SELECT last_number FROM invoice_counters').get()).toEqual({ last_number: 1 });
  });

  it('a failed payment attempt tells the patient once and offers the link again; the slot stays held', async () => {
    const p = t.h.patient('tg-4', { channel: 'telegram' });
    const id = await t.bookOnline(p);
    const link = t.razorpay.linkFor(id);
    const failed = t.razorpay.failPayment(link.id);
    expect(await t.send(failed)).toBe(200);
    expect(await t.send(failed, { indent: 2 })).toBe(200);
    const pushes = await t.pushes(telegram('tg-4'));
    expect(pushes).toHaveLength(1);
    expect(pushes[0]!.message).toMatchObject({ kind: 'link', url: link.short_url, label: 'Try paying again' });
    expect('text' in pushes[0]!.message && pushes[0]!.message.text).toContain('declined by the bank');
    expect((await t.h.store.getAppointment(id))?.status).toBe('HELD');
  });
});

describe('links that end without payment', () => {
  it('an expired link releases the hold, tells the patient once, and the time can be booked again', async () => {
    const p = t.h.patient('tg-5', { channel: 'telegram' });
    const id = await t.bookOnline(p);
    const expired = t.razorpay.expire(t.razorpay.linkFor(id).id);
    expect(await t.send(expired)).toBe(200);
    expect(await t.send(expired)).toBe(200);
    expect((await t.h.store.getAppointment(id))?.status).toBe('EXPIRED');
    const pushes = await t.pushes(telegram('tg-5'));
    expect(pushes).toHaveLength(1);
    expect('text' in pushes[0]!.message && pushes[0]!.message.text).toMatch(/has expired.*no longer held.*book again/s);

    const other = t.h.patient('web-other');
    await walkTo(other, 'SELECTING_PAYMENT_MODE'); // the same 11:00 slot is free again
    expect(menuLabels(await other.say('?'))).toContain('Pay at the clinic');

    expect(textOf(await p.say('ok'))).toContain('Your hold on that time has ended');
  });

  it('cancelling the booking closes the link at Razorpay, and its cancelled event sends nothing more', async () => {
    const p = t.h.patient('tg-6', { channel: 'telegram' });
    const id = await t.bookOnline(p);
    const link = t.razorpay.linkFor(id);
    expect(textOf(await p.tap('Cancel this booking'))).toContain('the booking is cancelled');
    expect(link.status).toBe('cancelled');
    // Acknowledged, and said to have changed nothing.
    const response = await deliver(t.webhookBase, signedDelivery(t.razorpay.cancelledEvent(link.id), WEBHOOK_SECRET));
    expect(await response.json()).toEqual({ ok: true, result: 'ignored' });
    expect(await t.pushes(telegram('tg-6'))).toHaveLength(0);
  });

  it('a payment racing the patient\'s cancel becomes a refund due, and the booking stays cancelled', async () => {
    const p = t.h.patient('tg-6b', { channel: 'telegram' });
    const id = await t.bookOnline(p);
    const link = t.razorpay.linkFor(id);
    // The patient taps Cancel while their payment is going through on the other tab.
    await p.tap('Cancel this booking');
    expect(await t.send(t.razorpay.pay(link.id))).toBe(200);
    expect(await t.h.store.getAppointment(id)).toMatchObject({ status: 'EXPIRED', paymentMode: 'ONLINE', paymentStatus: 'REFUND_DUE' });
    const pushes = await t.pushes(telegram('tg-6b'));
    expect(pushes.map((e) => ('text' in e.message ? e.message.text : ''))).toEqual([
      expect.stringMatching(/^We received your payment of ₹500\.00 for the booking you had cancelled \(.+\)\. It stays cancelled\. The clinic will refund the full amount/),
    ]);
    expect((await t.adminTexts()).filter((text) => text.includes('Refund due') && text.includes('after the booking was cancelled'))).toHaveLength(1);
  });

  it('choosing to pay at the clinic closes the link and confirms', async () => {
    const p = t.h.patient('tg-7', { channel: 'telegram' });
    const id = await t.bookOnline(p);
    const replies = await p.tap('Pay at the clinic instead');
    expect(textOf(replies)).toContain('Appointment confirmed');
    expect((await t.confirmationPushed(telegram('tg-7')))?.fileName).toBe(`confirmation-${id}.pdf`);
    expect(t.razorpay.linkFor(id).status).toBe('cancelled');
    expect(await t.h.store.getAppointment(id)).toMatchObject({ status: 'CONFIRMED', paymentMode: 'CLINIC', paymentStatus: 'PAY_AT_CLINIC' });
  });
});

describe('a time the clinic closed while a patient held it', () => {
  /** An admin's /block of the held 11:00 (a doctor's leave). */
  async function blockHeldSlot(): Promise<void> {
    const slot = await t.h.store.getSlot('s1100');
    await t.h.store.upsertSlot({ ...slot!, status: 'BLOCKED' });
  }

  it('"Pay online now" makes no link: the hold is given up and other times are offered', async () => {
    const p = t.h.patient('tg-b1', { channel: 'telegram' });
    await walkTo(p, 'SELECTING_PAYMENT_MODE');
    await blockHeldSlot();
    const replies = await p.tap('Pay online now');
    expect(textOf(replies)).toContain('the clinic has just closed that time for bookings');
    expect(await stateOf(t.h, p)).toBe('SELECTING_SLOT');
    expect(menuLabels(replies)).not.toContain('11:00 AM');
    expect(t.razorpay.links.size).toBe(0);
    expect((await t.h.store.listAppointments({})).map((a) => a.status)).toEqual(['EXPIRED']);
  });

  it('"Pay at the clinic instead" does not confirm it, and the open link is closed', async () => {
    const p = t.h.patient('tg-b2', { channel: 'telegram' });
    const id = await t.bookOnline(p);
    await blockHeldSlot();
    const replies = await p.tap('Pay at the clinic instead');
    expect(textOf(replies)).toContain('the clinic has just closed that time for bookings');
    expect(await stateOf(t.h, p)).toBe('SELECTING_SLOT');
    expect(t.razorpay.linkFor(id).status).toBe('cancelled');
    expect(await t.h.store.getAppointment(id)).toMatchObject({ status: 'EXPIRED' });
  });

  it('a payment landing for it becomes a refund due and gives up the hold', async () => {
    const p = t.h.patient('tg-b3', { channel: 'telegram' });
    const id = await t.bookOnline(p);
    await blockHeldSlot();
    expect(await t.send(t.razorpay.pay(t.razorpay.linkFor(id).id))).toBe(200);
    expect(await t.h.store.getAppointment(id)).toMatchObject({ status: 'EXPIRED', holdExpiresAt: null, paymentStatus: 'REFUND_DUE' });
    expect((await t.adminTexts()).filter((text) => text.includes('Refund due'))).toHaveLength(1);
  });
});

describe('late and wrong payments', () => {
  it('a payment landing after the hold lapsed confirms the appointment when the time is still free', async () => {
    const p = t.h.patient('tg-8', { channel: 'telegram' });
    const id = await t.bookOnline(p);
    const linkId = t.razorpay.linkFor(id).id;
    t.h.clock.advanceMinutes(25);
    expect(await t.h.store.expireHolds(t.h.clock.now())).toHaveLength(1);
    expect(await t.send(t.razorpay.pay(linkId))).toBe(200);
    expect(await t.h.store.getAppointment(id)).toMatchObject({ status: 'CONFIRMED', paymentStatus: 'PAID' });
    expect((await t.pushes(telegram('tg-8'))).map((e) => e.message.kind)).toEqual(['text', 'document', 'document']);
  });

  it('a payment landing after the time was taken becomes a refund due: patient and admins told', async () => {
    const p = t.h.patient('tg-9', { channel: 'telegram' });
    const id = await t.bookOnline(p);
    const linkId = t.razorpay.linkFor(id).id;
    t.h.clock.advanceMinutes(25);
    await t.h.store.expireHolds(t.h.clock.now());
    const other = t.h.patient('web-taker');
    await walkTo(other, 'AWAITING_REPORT_CHOICE'); // books the same 11:00 slot, paying at the clinic

    const paid = t.razorpay.pay(linkId);
    expect(await t.send(paid)).toBe(200);
    expect(await t.send(paid, { indent: 2 })).toBe(200);
    const appointment = await t.h.store.getAppointment(id);
    expect(appointment).toMatchObject({ status: 'EXPIRED', paymentMode: 'ONLINE', paymentStatus: 'REFUND_DUE' });
    expect(appointment!.paymentId).toMatch(/^pay_/);
    const pushes = await t.pushes(telegram('tg-9'));
    expect(pushes).toHaveLength(1);
    expect('text' in pushes[0]!.message && pushes[0]!.message.text).toContain('will refund the full amount');
    expect((await t.adminTexts()).filter((text) => text.includes('Refund due'))).toHaveLength(1);
  });

  it('a payment landing after the appointment started becomes a refund due, even with the place still free', async () => {
    const p = t.h.patient('tg-11', { channel: 'telegram' });
    const id = await t.bookOnline(p); // 11:00, booked at 10:00
    t.h.clock.advanceMinutes(62);
    expect(await t.send(t.razorpay.pay(t.razorpay.linkFor(id).id))).toBe(200);
    expect(await t.h.store.getAppointment(id)).toMatchObject({ status: 'EXPIRED', paymentStatus: 'REFUND_DUE' });
    const pushes = await t.pushes(telegram('tg-11'));
    expect(pushes.map((e) => e.message.kind)).toEqual(['text']);
    expect('text' in pushes[0]!.message && pushes[0]!.message.text).toContain('will refund the full amount');
  });

  it('a time starting in less than a link can live: the hold ends at its start, online payment is not offered, and the hold cannot be confirmed after the start', async () => {
    t.h.clock.advanceMinutes(50); // 10:50; the 11:00 slot is 10 minutes away, a link must live 16
    const p = t.h.patient('tg-12', { channel: 'telegram' });
    await walkTo(p, 'SELECTING_SLOT');
    const menu = await p.tap('11:00 AM');
    expect(menuLabels(menu)).toEqual(['Pay at the clinic']);
    expect(textOf(menu)).toContain('This time is held for you for 10 minutes. It starts too soon to pay online.');
    const [held] = await t.h.store.listAppointments({ conversation: { channel: 'telegram', chatId: 'tg-12' } });
    expect(held!.holdExpiresAt).toBe('2026-11-21T05:30:00.000Z'); // 11:00 in Kolkata

    expect(menuLabels(await p.say('online'))).toEqual(['Pay at the clinic']);
    expect(t.razorpay.links.size).toBe(0);

    t.h.clock.advanceMinutes(11);
    expect(textOf(await p.tap('Pay at the clinic'))).toContain('Your hold on that time has ended.');
    expect(await stateOf(t.h, p)).toBe('SELECTING_SLOT');
    expect((await t.h.store.getAppointment(held!.id))!.status).not.toBe('CONFIRMED');
  });

  it('an amount that does not match the fee is flagged to admins and not confirmed', async () => {
    const p = t.h.patient('tg-10', { channel: 'telegram' });
    const id = await t.bookOnline(p);
    expect(await t.send(t.razorpay.pay(t.razorpay.linkFor(id).id, { amount: 100 }))).toBe(200);
    const appointment = await t.h.store.getAppointment(id);
    expect(appointment).toMatchObject({ status: 'HELD', paymentStatus: 'PENDING', invoiceNo: null });
    expect(appointment!.notes).toContain('did not match the fee');
    const alerts = (await t.adminTexts()).filter((text) => text.includes('did not match the fee'));
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toContain('₹1.00');
    expect(alerts[0]).toContain('₹500.00');
    expect(await t.pushes(telegram('tg-10'))).toHaveLength(1);
  });
});

describe('reconciliation', () => {
  it('finds a payment whose webhook never came, and acts on it once', async () => {
    const p = t.h.patient('tg-11', { channel: 'telegram' });
    const id = await t.bookOnline(p);
    t.razorpay.pay(t.razorpay.linkFor(id).id); // paid at Razorpay; the webhook is lost
    const fetchesBefore = t.razorpay.requests.filter((r) => r.method === 'GET').length;

    const first = await t.services.reconcilePayments(t.h.clock.now());
    expect(first).toEqual({ checked: 1, paid: 1, closed: 0, failed: 0 });
    expect(t.razorpay.requests.filter((r) => r.method === 'GET').length).toBe(fetchesBefore + 1);
    expect(await t.h.store.getAppointment(id)).toMatchObject({ status: 'CONFIRMED', paymentStatus: 'PAID' });
    expect((await t.pushes(telegram('tg-11'))).map((e) => e.message.kind)).toEqual(['text', 'document', 'document']);

    // Settled: not checked again, and the late webhook changes nothing.
    expect(await t.services.reconcilePayments(t.h.clock.now())).toEqual({ checked: 0, paid: 0, closed: 0, failed: 0 });
    expect(await t.send(t.razorpay.pay(t.razorpay.linkFor(id).id))).toBe(200);
    expect(await t.pushes(telegram('tg-11'))).toHaveLength(3);
  });

  it('tells the patient of a payment confirmed just before a crash, once', async () => {
    const p = t.h.patient('tg-13', { channel: 'telegram' });
    const id = await t.bookOnline(p);
    // As stored by a webhook whose process stopped before the patient was told.
    await t.h.store.confirmAppointment(id, { paymentMode: 'ONLINE', paymentStatus: 'PAID' }, t.h.clock.now());
    t.services.online!.records.queueAnnouncement(id, t.h.clock.now());
    expect(await t.pushes(telegram('tg-13'))).toHaveLength(0);

    await t.services.reconcilePayments(t.h.clock.now());
    expect((await t.pushes(telegram('tg-13'))).map((e) => e.message.kind)).toEqual(['text', 'document', 'document']);
    await t.services.reconcilePayments(t.h.clock.now());
    expect(await t.pushes(telegram('tg-13'))).toHaveLength(3);
  });

  it('keeps a link open when the API fails, and applies an expiry it finds', async () => {
    const p = t.h.patient('tg-12', { channel: 'telegram' });
    const id = await t.bookOnline(p);
    t.razorpay.failNext({ status: 503, code: 'SERVER_ERROR' });
    expect(await t.services.reconcilePayments(t.h.clock.now())).toMatchObject({ checked: 1, failed: 1 });
    t.razorpay.expire(t.razorpay.linkFor(id).id);
    expect(await t.services.reconcilePayments(t.h.clock.now())).toMatchObject({ checked: 1, closed: 1 });
    expect((await t.h.store.getAppointment(id))?.status).toBe('EXPIRED');
  });
});
