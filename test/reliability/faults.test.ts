/**
 * Faults of the services the clinic depends on, end to end through the web chat: Razorpay and Google
 * Sheets failing one call in five (before or after doing the work) and answering slowly, behind a
 * seeded fault proxy in front of their emulators, while 30 patients book at once.
 *
 * Razorpay: every patient who asks to pay online gets a link or is told plainly that online payment is
 * not available and offered the clinic; nothing is left half-made; paid links — told by signed
 * webhooks, some twice, or found by reconciliation runs whose fetches fail too — confirm each booking
 * exactly once, and the runs converge.
 * Sheets: patients never wait on Google, and every confirmed booking is in the sheet exactly once
 * once the background writer has drained.
 */
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { afterEach, describe, expect, it } from 'vitest';
import type { Appointment } from '../../src/core/domain.js';
import type { StoredMessage } from '../../src/core/delivery.js';
import { createPaymentServices } from '../../src/services/payments/paymentsComponent.js';
import { SheetsApi, SheetsClinicStore } from '../../src/store/sheets/index.js';
import { setupSheet } from '../../src/store/sheets/setup.js';
import { openClinicDatabase, SqliteClinicStore, SqliteOutbox } from '../../src/store/sqlite/index.js';
import { SqlitePaymentRecords } from '../../src/store/sqlite/paymentRecords.js';
import { START_TIME, startTestApp, TestClock, type TestApp } from '../http/helpers.js';
import { deliver, RazorpayEmulator, signedDelivery } from '../support/razorpayEmulator.js';
import { makeServiceAccount, SheetsEmulator } from '../support/sheetsEmulator.js';
import { newBookingPatient, type BookingPatient, type PaymentChoice } from './support/bookingPatient.js';
import { FaultyProxy, seededFaults, type FaultAnswer, type ProxiedRequest, type ProxyRecord } from './support/faultyProxy.js';
import { seededRandom } from './support/serviceProcess.js';
import { bookOnWeb, postWebMessage } from './support/webPatient.js';

const SEED = 20_261_125;
const PATIENTS = 30;
const FAULT_RATE = 0.2;
const LATENCY = { min: 50, max: 150 };
const WEBHOOK_SECRET = 'whsec_reliability_faults';
const UNAVAILABLE = /online payment is not available right now/;

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

/** Razorpay's answer to a request it could not serve. */
const razorpayDown = (status: number): FaultAnswer => ({
  status,
  body: { error: { code: 'SERVER_ERROR', description: 'The server encountered an error. The incident has been reported to admins.', source: 'NA', step: 'NA', reason: 'NA', metadata: {} } },
});

/** Google's answer to a request it could not serve. */
const googleDown = (status: number, state: string, message: string): FaultAnswer => ({ status, body: { error: { code: status, message, status: state } } });

/** Resolves once `ready()` holds, checked again after every push to the outbox (no timers). */
async function whenOutbox(app: TestApp, ready: () => Promise<boolean>): Promise<void> {
  for (;;) {
    let stop = () => {};
    const pushed = new Promise<void>((resolve) => (stop = app.app.context.outbox.onPush(() => resolve())));
    if (await ready()) return stop();
    await pushed;
    stop();
  }
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

interface OnlinePatient extends BookingPatient {
  sessionId: string;
  /** "Pay online now" chosen, and how each attempt ended. */
  attempts: ('link' | 'unavailable')[];
  link?: { url: string };
}

describe('Razorpay failing one call in five, slowly', () => {
  it('gives every patient a link or a plain "pay at the clinic", leaves nothing half-made, and confirms each paid link once', async () => {
    const clock = new TestClock(START_TIME);
    const razorpay = new RazorpayEmulator({ now: clock.now });
    await razorpay.start();
    cleanups.push(() => razorpay.stop());
    const nameOfLink = (id: string) => razorpay.links.get(id)?.customer.name ?? id;
    const proxy = new FaultyProxy(
      razorpay.url,
      seededFaults({
        seed: SEED,
        rate: FAULT_RATE,
        afterShare: 0.5,
        latencyMs: LATENCY,
        answers: [razorpayDown(500), razorpayDown(502), razorpayDown(503), 'reset'],
        // By patient, so the n-th call for a patient has the same fate however the calls interleave.
        identify: (request: ProxiedRequest) => {
          if (request.method === 'POST' && request.url === '/v1/payment_links') {
            return `create:${(JSON.parse(request.body) as { customer?: { name?: string } }).customer?.name}`;
          }
          const [, id = '', action = 'fetch'] = /^\/v1\/payment_links\/([^/?]+)\/?([a-z]*)/.exec(request.url) ?? [];
          return `${action}:${nameOfLink(id)}`;
        },
      }),
    );
    await proxy.start();
    cleanups.push(() => proxy.stop());
    const t = await startTestApp(
      {
        RAZORPAY_KEY_ID: razorpay.keyId,
        RAZORPAY_KEY_SECRET: razorpay.keySecret,
        RAZORPAY_WEBHOOK_SECRET: WEBHOOK_SECRET,
        RAZORPAY_API_URL: proxy.url,
        RATE_LIMIT_PER_MINUTE: '0',
        HOLD_MINUTES: '20',
      },
      clock,
    );
    cleanups.push(() => t.dispose());
    const { store, outbox, db } = t.app.context;

    // Most patients insist on paying online (up to three tries); every third takes the clinic after one refusal.
    const choosePayment: PaymentChoice = (patient, ids) => {
      const online = patient as OnlinePatient;
      if (ids.includes('cancel-booking')) return 'stop'; // the link is on screen: the patient goes to pay
      const tries = online.attempts.length;
      return ids.includes('pay-online') && tries < (patient.index % 3 === 0 ? 1 : 3) ? 'pay-online' : 'pay-at-clinic';
    };
    const patients: OnlinePatient[] = Array.from({ length: PATIENTS }, (_, i) => ({
      ...newBookingPatient(i, 3),
      sessionId: `faults-razorpay-${String(i).padStart(3, '0')}-aaaaaaaa`,
      attempts: [],
    }));
    await Promise.all(
      patients.map(async (patient) => {
        let askedOnline = false;
        await bookOnWeb({
          patient,
          sessionId: patient.sessionId,
          send: async (body, key) => {
            askedOnline = 'choice' in body && body.choice === 'pay-online';
            return postWebMessage(t.base, patient.sessionId, body, key);
          },
          choosePayment,
          onTurn: (replies) => {
            if (!askedOnline) return;
            const link = replies.find((m) => m.kind === 'link');
            if (link?.url) {
              patient.attempts.push('link');
              patient.link = { url: link.url };
              return;
            }
            // Told plainly, and offered the clinic on the same screen.
            const notice = replies.find((m) => UNAVAILABLE.test(m.text));
            expect(notice?.text, patient.name).toMatch(/nothing was charged.*pay at the clinic/is);
            expect(replies.at(-1)?.options?.map((o) => o.id), patient.name).toContain('pay-at-clinic');
            patient.attempts.push('unavailable');
          },
        });
      }),
    );

    // Each patient's online attempts match what Razorpay did: a link for every creation that got
    // through, "not available" for every one that failed (even when the link was made but the answer
    // lost). Razorpay refuses nothing else: only the reference id of a link made by an attempt whose
    // answer was lost, after which the service makes the link under a fresh reference id at once.
    const creations = (patient: OnlinePatient) =>
      proxy.records.filter((r) => r.method === 'POST' && r.url === '/v1/payment_links' && (JSON.parse(r.body) as { customer?: { name?: string } }).customer?.name === patient.name);
    const referenceTaken = (r: ProxyRecord) => r.decision.fault === undefined && r.upstreamStatus === 400 && /reference id .* already exists/.test(r.upstreamBody ?? '');
    let linksLost = 0;
    for (const patient of patients) {
      const requests = creations(patient);
      const fates = requests.filter((r) => !referenceTaken(r)).map((r) => (r.answered === 200 ? 'link' : 'unavailable'));
      expect(patient.attempts, patient.name).toEqual(fates);
      requests.forEach((r, i) => {
        if (r.decision.fault?.when === 'after') linksLost += 1;
        const explained = r.decision.fault !== undefined || r.upstreamStatus === 200 || (referenceTaken(r) && requests.slice(0, i).some((e) => e.decision.fault?.when === 'after'));
        expect(explained, `${patient.name}: Razorpay answered ${r.upstreamStatus} ${r.upstreamBody}`).toBe(true);
      });
    }
    expect(proxy.records.some(referenceTaken), 'a retry after a link whose answer was lost').toBe(true);
    const failedCreations = proxy.faulted((r) => r.method === 'POST');
    expect(failedCreations.some((r) => r.decision.fault?.when === 'before')).toBe(true);
    expect(failedCreations.some((r) => r.decision.fault?.when === 'after')).toBe(true);

    // Nothing half-made: each patient is either waiting on a link that exists, or confirmed at the clinic.
    const records = new SqlitePaymentRecords(db);
    const shownUrls = new Set(patients.flatMap((p) => (p.link ? [p.link.url] : [])));
    const withLink = patients.filter((p) => p.link);
    const atClinic = patients.filter((p) => !p.link);
    expect(withLink.length).toBeGreaterThan(PATIENTS / 2);
    expect(atClinic.some((p) => p.attempts.includes('unavailable'))).toBe(true);
    const appointmentOf = async (patient: OnlinePatient): Promise<Appointment> => {
      const mine = await store.listAppointments({ conversation: { channel: 'web', chatId: patient.sessionId } });
      expect(mine, patient.name).toHaveLength(1);
      return mine[0]!;
    };
    for (const patient of withLink) {
      const appointment = await appointmentOf(patient);
      expect(appointment, patient.name).toMatchObject({ status: 'HELD', paymentMode: 'ONLINE', paymentStatus: 'PENDING', paymentLink: patient.link!.url });
      const link = [...razorpay.links.values()].find((l) => l.short_url === patient.link!.url);
      expect(link, patient.name).toMatchObject({ status: 'created', amount: appointment.fee * 100, notes: { appointment_id: appointment.id } });
      expect(records.latestForAppointment(appointment.id)).toMatchObject({ linkId: link!.id, status: 'created' });
      expect(Math.floor(Date.parse(appointment.holdExpiresAt!) / 1000)).toBe(link!.expire_by);
    }
    expect(await store.listAppointments({}), 'one appointment per patient, no strays').toHaveLength(PATIENTS);
    for (const patient of atClinic) {
      expect(await appointmentOf(patient), patient.name).toMatchObject({ status: 'CONFIRMED', paymentMode: 'CLINIC', paymentStatus: 'PAY_AT_CLINIC' });
      expect(patient.confirmationIds.size, patient.name).toBe(1);
    }
    // Every link the service recorded exists at Razorpay; links whose answer was lost were never shown to anyone.
    for (const record of records.openLinks()) expect(razorpay.links.get(record.linkId)?.short_url).toBe(record.url);
    const unknown = [...razorpay.links.values()].filter((l) => !records.getLink(l.id));
    for (const link of unknown) expect(shownUrls.has(link.short_url)).toBe(false);

    // Payments: some links paid and told by signed webhooks (every third twice), the others paid with
    // the webhook lost and the rest expired, both left to reconciliation, whose fetches fail too.
    const random = seededRandom(SEED);
    const linkOf = (patient: OnlinePatient) => [...razorpay.links.values()].find((l) => l.short_url === patient.link!.url)!;
    const paid = withLink.filter(() => random() < 0.5);
    const byWebhook = paid.slice(0, Math.ceil(paid.length / 2));
    const paymentIds = new Map<string, string>();
    for (const [index, patient] of paid.entries()) {
      const event = razorpay.pay(linkOf(patient).id);
      paymentIds.set(patient.sessionId, (event.payload.payment!.entity as { id: string }).id);
      if (!byWebhook.includes(patient)) continue;
      const delivery = signedDelivery(event, WEBHOOK_SECRET);
      for (let n = 0; n < (index % 3 === 0 ? 2 : 1); n++) expect((await deliver(t.base, delivery)).status).toBe(200);
    }
    const expired = withLink.filter((p) => !paid.includes(p));
    for (const patient of expired) razorpay.expire(linkOf(patient).id);

    const { config, documents, notifier, alerts, logger } = t.app.context;
    const reconciling = createPaymentServices({ config, db, store, files: documents, notifier, alerts, clock, logger });
    const runs: { checked: number; failed: number }[] = [];
    for (let run = 0; run < 20; run++) {
      const report = await reconciling.reconcilePayments(clock.now());
      runs.push(report);
      if (report.checked === 0) break;
    }
    expect(runs.at(-1)!.checked, JSON.stringify(runs)).toBe(0);
    expect(runs.some((r) => r.failed > 0)).toBe(true);

    // Exactly one confirmation per paid link, and one "expired" note per expired one.
    const textsOf = async (patient: OnlinePatient) => (await outbox.listAfter({ channel: 'web', chatId: patient.sessionId }, 0, 1000)).map((e) => e.message);
    const count = (messages: StoredMessage[], pattern: RegExp) => messages.filter((m) => pattern.test(m.kind === 'document' ? m.fileName : m.text)).length;
    await whenOutbox(t, async () => {
      for (const patient of paid) if (count(await textsOf(patient), /^invoice-/) === 0) return false;
      return true;
    });
    // Closed first, so announcements in progress finish; then the data as the service left it.
    await t.app.close();
    const after = openClinicDatabase(path.join(t.dataDir, 'clinic.db'));
    const finalStore = new SqliteClinicStore(after);
    cleanups.push(() => finalStore.close());
    const finalOutbox = new SqliteOutbox(after);
    const finalRecords = new SqlitePaymentRecords(after);
    const finalTexts = async (patient: OnlinePatient) => (await finalOutbox.listAfter({ channel: 'web', chatId: patient.sessionId }, 0, 1000)).map((e) => e.message);
    const finalAppointment = async (patient: OnlinePatient) => {
      const mine = await finalStore.listAppointments({ conversation: { channel: 'web', chatId: patient.sessionId } });
      expect(mine, patient.name).toHaveLength(1);
      return mine[0]!;
    };
    for (const patient of paid) {
      const appointment = await finalAppointment(patient);
      expect(appointment, patient.name).toMatchObject({ status: 'CONFIRMED', paymentMode: 'ONLINE', paymentStatus: 'PAID', paymentId: paymentIds.get(patient.sessionId) });
      const messages = await finalTexts(patient);
      expect(count(messages, /^Payment received/), patient.name).toBe(1);
      expect(count(messages, /^confirmation-/), patient.name).toBe(1);
      expect(count(messages, /^invoice-/), patient.name).toBe(1);
      expect(finalRecords.latestForAppointment(appointment.id)?.status).toBe('paid');
    }
    for (const patient of expired) {
      expect(await finalAppointment(patient), patient.name).toMatchObject({ status: 'EXPIRED', paymentStatus: 'PENDING' });
      expect(count(await finalTexts(patient), /payment link .* has expired/), patient.name).toBe(1);
    }
    console.info(
      `faults (razorpay): seed ${SEED}, ${proxy.records.length} API calls, ${proxy.faulted().length} failed ` +
        `(${failedCreations.length} link creations), ${withLink.length} links, ${atClinic.length} at the clinic, ` +
        `${unknown.length} links made but never learnt of (${linksLost} answers lost), ${paid.length} paid (${byWebhook.length} by webhook), reconciliation runs ${runs.map((r) => `${r.checked}/${r.failed}`).join(' ')}`,
    );
  }, 60_000);
});

describe('Google Sheets failing one call in five, slowly', () => {
  it('never makes a patient wait on Google and writes every confirmed booking to the sheet exactly once', async () => {
    const clock = new TestClock(START_TIME);
    const account = makeServiceAccount();
    const sheets = new SheetsEmulator({ accounts: [account] });
    await sheets.start();
    cleanups.push(() => sheets.close());
    await setupSheet(new SheetsApi({ sheetId: sheets.spreadsheetId, serviceAccountJson: account.keyJson, apiUrl: sheets.url }), {
      sample: true,
      now: START_TIME,
      timezone: 'Asia/Kolkata',
      days: 7,
    });
    // Faults start once the service is up (start-up on a failing sheet is tested elsewhere), then in
    // request order. The first row append is always applied and answered with an error: the case
    // that would write a booking twice if the writer trusted the answer.
    let faulty = false;
    let appendFaulted = false;
    const random = seededRandom(SEED);
    const faults = seededFaults({
      seed: SEED,
      rate: FAULT_RATE,
      afterShare: 0.5,
      latencyMs: LATENCY,
      answers: [
        googleDown(500, 'INTERNAL', 'Internal error encountered.'),
        googleDown(503, 'UNAVAILABLE', 'The service is currently unavailable.'),
        googleDown(429, 'RESOURCE_EXHAUSTED', "Quota exceeded for quota metric 'Write requests' and limit 'Write requests per minute per user'."),
        'reset',
      ],
      identify: () => `call ${Math.floor(random() * 1e9)}`,
    });
    const proxy = new FaultyProxy(sheets.url, (request) => {
      if (!faulty) return { latencyMs: 0 };
      const decision = faults(request);
      if (!appendFaulted && request.method === 'POST' && request.url.includes(':append')) {
        appendFaulted = true;
        return { ...decision, fault: { when: 'after', answer: googleDown(503, 'UNAVAILABLE', 'The service is currently unavailable.') } };
      }
      return decision;
    });
    await proxy.start();
    cleanups.push(() => proxy.stop());
    const t = await startTestApp(
      { GOOGLE_SHEET_ID: sheets.spreadsheetId, GOOGLE_SERVICE_ACCOUNT_JSON: account.keyJson, GOOGLE_SHEETS_API_URL: `${proxy.url}/`, RATE_LIMIT_PER_MINUTE: '0' },
      clock,
    );
    cleanups.push(() => t.dispose());
    const store = t.app.context.store as SheetsClinicStore;
    expect(store).toBeInstanceOf(SheetsClinicStore);
    faulty = true;

    const latencies: number[] = [];
    const book = (patient: BookingPatient & { sessionId: string }) =>
      bookOnWeb({
        patient,
        sessionId: patient.sessionId,
        send: async (body, key) => {
          const started = performance.now();
          try {
            return await postWebMessage(t.base, patient.sessionId, body, key);
          } finally {
            latencies.push(performance.now() - started);
          }
        },
      });
    const patient = (i: number) => ({ ...newBookingPatient(i, 4), sessionId: `faults-sheets-${String(i).padStart(3, '0')}-aaaaaaaaaa` });
    const patients = Array.from({ length: PATIENTS }, (_, i) => patient(i));
    await Promise.all(patients.map(book));
    // Turns are quick while the sheet fails and answers slowly. The bound is generous: on a small,
    // shared machine 30 confirmations' PDFs at once take a second or so without any sheet at all.
    const p50 = percentile(latencies, 50);
    const p95 = percentile(latencies, 95);
    expect(p50).toBeLessThan(500);
    expect(p95).toBeLessThan(2500);

    // The proof that nobody waits on Google: it stops answering altogether. One more booking gives
    // the writer something to write; once its request hangs, four more patients book from "hi" to
    // the confirmation, and it is still hanging when they are done.
    proxy.hold();
    const late = Array.from({ length: 5 }, (_, i) => patient(PATIENTS + i));
    await book(late[0]!);
    store.sync.wake();
    await proxy.untilWaiting();
    await Promise.all(late.slice(1).map(book));
    expect(proxy.waiting, 'the request to Google still hanging').toBeGreaterThan(0);
    proxy.release();

    // The writer drains through the same faults (and its own backoff) until nothing is left to write.
    await store.flush();
    expect(store.sync.health().pendingWrites).toBe(0);
    expect(appendFaulted).toBe(true);
    const writes = proxy.records.filter((r) => r.method === 'POST');

    const everyone = [...patients, ...late];
    const confirmed = await store.listAppointments({ statuses: ['CONFIRMED'] });
    expect(confirmed).toHaveLength(everyone.length);
    for (const p of everyone) {
      expect([...p.confirmationIds], p.name).toEqual(confirmed.filter((a) => a.conversation.chatId === p.sessionId).map((a) => a.id));
    }
    const rowsById = new Map<string, Record<string, unknown>[]>();
    for (const row of sheets.records('Appointments')) {
      const id = String(row['Appointment ID'] ?? '');
      rowsById.set(id, [...(rowsById.get(id) ?? []), row]);
    }
    for (const appointment of confirmed) {
      const mine = rowsById.get(appointment.id) ?? [];
      expect(mine.length, `${appointment.id} rows in the sheet`).toBe(1);
      expect(mine[0]).toMatchObject({ Status: 'CONFIRMED', 'Patient Name': appointment.patient.name });
    }
    // Nothing else: no row for an appointment the ledger does not have.
    const known = new Set((await store.listAppointments({})).map((a) => a.id));
    expect([...rowsById.keys()].filter((id) => !known.has(id))).toEqual([]);
    console.info(
      `faults (sheets): seed ${SEED}, ${proxy.records.length} API calls (${writes.length} writes), ${proxy.faulted().length} failed ` +
        `(${proxy.faulted((r) => r.method === 'POST' && r.decision.fault?.when === 'after').length} writes applied, then failed), ` +
        `turn latency p50 ${Math.round(p50)} ms, p95 ${Math.round(p95)} ms, max ${Math.round(Math.max(...latencies))} ms over ${latencies.length} turns`,
    );
  }, 60_000);
});
