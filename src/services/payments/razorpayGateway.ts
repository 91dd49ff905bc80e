/**
 * {@link PaymentGateway} on Razorpay payment links. Every link created is recorded in SQLite, so the
 * webhook and the reconciliation job know which appointment it pays and whether it is still open.
 */
import { randomBytes } from 'node:crypto';
import type { Clock, PaymentGateway, PaymentLink } from '../../core/ports.js';
import type { Appointment } from '../../core/domain.js';
import type { Logger } from '../../logging.js';
import type { SqlitePaymentRecords } from '../../store/sqlite/paymentRecords.js';
import { toMinorUnits } from './money.js';
import { PaymentProviderError, type CreatePaymentLinkBody, type RazorpayLinks } from './razorpayClient.js';

/**
 * Razorpay refuses an expire_by less than 15 minutes ahead of its own clock; one more minute absorbs
 * the difference between its clock and ours and the time the request takes.
 */
export const RAZORPAY_MINIMUM_LINK_MINUTES = 16;

/** Razorpay's limits on the fields we fill from patient input. */
const MAX_CUSTOMER_NAME = 100;
const MAX_DESCRIPTION = 2048;

/**
 * Where Razorpay sends the patient once a link is paid. Razorpay takes only `get` for payment links,
 * and signs the redirect's query with the API key secret.
 */
interface PaymentLinkCallback {
  callback_url: string;
  callback_method: 'get';
}

export interface RazorpayGatewayOptions {
  /** Absolute URL of the page the patient lands on after paying; without it they stay on Razorpay's page. */
  callbackUrl?: string;
}

export class RazorpayGateway implements PaymentGateway {
  readonly minimumLinkMinutes = RAZORPAY_MINIMUM_LINK_MINUTES;
  private readonly callback: PaymentLinkCallback | undefined;

  constructor(
    private readonly links: RazorpayLinks,
    private readonly records: SqlitePaymentRecords,
    private readonly clock: Clock,
    private readonly logger: Logger,
    options: RazorpayGatewayOptions = {},
  ) {
    this.callback = options.callbackUrl ? { callback_url: options.callbackUrl, callback_method: 'get' } : undefined;
  }

  async createPaymentLink(input: { appointment: Appointment; amount: number; currency: string; description: string; expiresAt: Date }): Promise<PaymentLink> {
    const { appointment, currency, expiresAt } = input;
    const amount = toMinorUnits(input.amount, currency);
    // Razorpay keeps reference_id unique across links: the first link of an appointment carries its id,
    // a later one (after the first was closed) the id with a counter. notes.appointment_id is always plain.
    const earlier = this.records.latestForAppointment(appointment.id);
    const referenceId = earlier ? `${appointment.id}-${randomBytes(3).toString('hex')}` : appointment.id;
    const body: CreatePaymentLinkBody & Partial<PaymentLinkCallback> = {
      amount,
      currency,
      accept_partial: false,
      reference_id: referenceId,
      description: input.description.slice(0, MAX_DESCRIPTION),
      expire_by: Math.floor(expiresAt.getTime() / 1000),
      customer: { name: appointment.patient.name.slice(0, MAX_CUSTOMER_NAME), contact: appointment.patient.phone },
      // The patient gets the link in the chat; Razorpay's own SMS and e-mails would duplicate it.
      notify: { sms: false, email: false },
      reminder_enable: false,
      notes: { appointment_id: appointment.id },
      ...this.callback,
    };
    let link;
    try {
      link = await this.links.create(body);
    } catch (error) {
      // An earlier attempt whose answer was lost (a timeout, a cut connection) may have made a link
      // after all: Razorpay then refuses its reference id for good. That link was never shown to anyone
      // (Razorpay's own notifications are off), so a fresh reference id makes the one the patient gets.
      if (!isReferenceTaken(error) || referenceId !== appointment.id) throw error;
      link = await this.links.create({ ...body, reference_id: `${appointment.id}-${randomBytes(3).toString('hex')}` });
    }
    this.records.addLink({
      linkId: link.id,
      appointmentId: appointment.id,
      amount,
      currency,
      url: link.short_url,
      orderId: link.order_id || null,
      expiresAt: expiresAt.toISOString(),
      createdAt: this.clock.now().toISOString(),
    });
    this.logger.info({ appointmentId: appointment.id, linkId: link.id }, 'payment link created');
    return { linkId: link.id, url: link.short_url };
  }

  async cancelPaymentLink(appointmentId: string): Promise<void> {
    const link = this.records.latestForAppointment(appointmentId);
    if (!link || link.status !== 'created') return;
    try {
      await this.links.cancel(link.linkId);
      this.records.closeLink(link.linkId, 'cancelled', this.clock.now());
    } catch (error) {
      // Left open: it expires on its own, and a payment on it is still caught by webhook or reconciliation.
      this.logger.warn({ err: error, appointmentId, linkId: link.linkId }, 'payment link could not be cancelled');
    }
  }
}

/** Razorpay refused a link because a link with the same reference id exists already. */
function isReferenceTaken(error: unknown): boolean {
  return error instanceof PaymentProviderError && error.status === 400 && /reference[ _]?id/i.test(error.description) && /already exists/i.test(error.description);
}
