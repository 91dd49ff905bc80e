/**
 * The booking engine with online payment and documents switched on, on a real SQLite file: the real
 * razorpay SDK talks to the loopback emulator, and webhooks arrive over HTTP at the real route.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { pino } from 'pino';
import { loadConfig } from '../../../src/config.js';
import { toOutbound, type DeliveryRoute, type OutboxEntry } from '../../../src/core/delivery.js';
import type { Outbound } from '../../../src/core/messages.js';
import type { Channel } from '../../../src/core/messages.js';
import { OutboxAdminAlerts, OutboxNotifier } from '../../../src/services/delivery/notifier.js';
import { createPaymentServices, type PaymentServices } from '../../../src/services/payments/paymentsComponent.js';
import { razorpayWebhookRoutes } from '../../../src/services/payments/webhookRoutes.js';
import { createHarness, TEST_SETTINGS, type Harness } from '../../support/engineHarness.js';
import { seedClinic, walkTo, type Patient } from '../../support/clinicFixture.js';
import { deliver, RazorpayEmulator, signedDelivery, type RazorpayEvent } from '../../support/razorpayEmulator.js';

export const WEBHOOK_SECRET = 'whsec_harness';
export const ADMIN_CHAT = '9001';

export interface PaymentHarness {
  h: Harness;
  razorpay: RazorpayEmulator;
  services: PaymentServices;
  /** Base URL of the webhook route. */
  webhookBase: string;
  /** Posts an event, signed, to the webhook; returns the HTTP status once the patient has been told. */
  send(event: RazorpayEvent, options?: { eventId?: string; indent?: number }): Promise<number>;
  /** Bot entries pushed to a chat (not replies), oldest first. */
  pushes(route: DeliveryRoute): Promise<OutboxEntry[]>;
  /** The confirmation PDF pushed to a chat after the turn that booked (waits for it to be made). */
  confirmationPushed(route: DeliveryRoute): Promise<Extract<Outbound, { kind: 'document' }> | undefined>;
  /** Texts the admins were sent. */
  adminTexts(): Promise<string[]>;
  /** Books up to the payment step and taps "Pay online now"; returns the held appointment id. */
  bookOnline(p: Patient): Promise<string>;
  close(): Promise<void>;
}

export async function createPaymentHarness(options: { channel?: Channel } = {}): Promise<PaymentHarness> {
  let h!: Harness;
  const razorpay = new RazorpayEmulator({ now: () => h.clock.now() });
  await razorpay.start();
  let services!: PaymentServices;
  const config = loadConfig({
    RAZORPAY_KEY_ID: razorpay.keyId,
    RAZORPAY_KEY_SECRET: razorpay.keySecret,
    RAZORPAY_WEBHOOK_SECRET: WEBHOOK_SECRET,
    RAZORPAY_API_URL: razorpay.url,
    CLINIC_NAME: TEST_SETTINGS.clinic.name,
    CLINIC_ADDRESS: TEST_SETTINGS.clinic.address,
    CLINIC_PHONE: TEST_SETTINGS.clinic.phone,
    LOG_LEVEL: 'silent',
  });
  const logger = pino({ level: 'silent' });
  h = createHarness({
    settings: { holdMinutes: config.holdMinutes },
    deps: ({ db, store, outbox, documents, clock }) => {
      services = createPaymentServices({
        config,
        db,
        store,
        files: documents,
        notifier: new OutboxNotifier(outbox, documents, clock),
        alerts: new OutboxAdminAlerts({ outbox, clock, logger, channel: 'telegram-admin', adminChatIds: [ADMIN_CHAT] }),
        clock,
        logger,
      });
      return { payments: services.gateway!, documents: services.documents };
    },
  });
  await seedClinic(h);

  const app = express();
  app.use(razorpayWebhookRoutes({ webhookSecret: WEBHOOK_SECRET, events: services.online!.events, clock: h.clock, logger }));
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const webhookBase = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const channel = options.channel ?? 'telegram';
  const pushes = async (route: DeliveryRoute) => (await h.outbox.listAfter(route, 0, 1000)).filter((entry) => entry.inReplyTo === null);

  return {
    h,
    razorpay,
    services,
    webhookBase,
    async send(event, sendOptions = {}) {
      const response = await deliver(webhookBase, signedDelivery(event, WEBHOOK_SECRET, sendOptions));
      await response.arrayBuffer();
      // The patient is told in the background once the webhook is answered.
      await services.online!.settlement.idle();
      return response.status;
    },
    pushes,
    async confirmationPushed(route) {
      await services.documents.sendOwed();
      const entry = (await pushes(route)).find((e) => e.message.kind === 'document' && e.message.fileName.startsWith('confirmation-'));
      const document = entry && (await toOutbound(entry.message, h.documents));
      return document?.kind === 'document' ? document : undefined;
    },
    async adminTexts() {
      const entries = await h.outbox.listAfter({ channel: 'telegram-admin', chatId: ADMIN_CHAT }, 0, 1000);
      return entries.map((entry) => ('text' in entry.message ? entry.message.text : ''));
    },
    async bookOnline(p) {
      await walkTo(p, 'SELECTING_PAYMENT_MODE');
      await p.tap('Pay online now');
      const [appointment] = await h.store.listAppointments({ conversation: { channel, chatId: p.chatId } });
      return appointment!.id;
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await razorpay.stop();
      await h.close();
    },
  };
}
