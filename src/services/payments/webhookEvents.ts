/**
 * Razorpay webhook events the service acts on, parsed from the verified body, and applied once: the
 * event id is recorded only after its effects are stored, and the effects themselves are idempotent
 * (see PaymentSettlement), so concurrent or repeated deliveries act once.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { Logger } from '../../logging.js';
import type { SqlitePaymentRecords } from '../../store/sqlite/paymentRecords.js';
import type { PaymentSettlement } from './paymentSettlement.js';

const notes = z.unknown().transform((value) => {
  // Razorpay sends empty notes as [] and filled ones as an object.
  const id = value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>).appointment_id : undefined;
  return typeof id === 'string' ? id : undefined;
});

const linkEntity = z.object({
  id: z.string().min(1),
  amount_paid: z.number().optional(),
  currency: z.string().optional(),
  reference_id: z.string().nullish(),
  order_id: z.string().nullish(),
  notes: notes.optional(),
});

const paymentEntity = z.object({
  id: z.string().min(1),
  amount: z.number(),
  currency: z.string(),
  order_id: z.string().nullish(),
  description: z.string().nullish(),
  error_description: z.string().nullish(),
  notes: notes.optional(),
});

const envelope = z.object({ event: z.string(), payload: z.record(z.string(), z.unknown()).default({}) });
const paidPayload = z.object({ payment_link: z.object({ entity: linkEntity }), payment: z.object({ entity: paymentEntity }) });
const linkPayload = z.object({ payment_link: z.object({ entity: linkEntity }) });
const paymentPayload = z.object({ payment: z.object({ entity: paymentEntity }) });

/** The body is not a Razorpay event this service understands. */
export class MalformedWebhookError extends Error {
  constructor(readonly detail: string) {
    super(`The webhook body is not a Razorpay event: ${detail}`);
    this.name = 'MalformedWebhookError';
  }
}

export type WebhookResult = 'applied' | 'duplicate' | 'ignored';

export class RazorpayWebhookEvents {
  constructor(
    private readonly records: SqlitePaymentRecords,
    private readonly settlement: PaymentSettlement,
    private readonly logger: Logger,
  ) {}

  /**
   * Applies one verified delivery. `eventId` is X-Razorpay-Event-Id; without one, a digest of the
   * body stands in (a byte-identical redelivery is then still recognised).
   */
  async apply(rawBody: Buffer, eventId: string | undefined, now: Date): Promise<WebhookResult> {
    let parsed: unknown;
    try {
      parsed = JSON.parse(rawBody.toString('utf8'));
    } catch {
      throw new MalformedWebhookError('not JSON');
    }
    const event = envelope.safeParse(parsed);
    if (!event.success) throw new MalformedWebhookError('no "event" field');
    const id = eventId?.trim() || `sha256:${createHash('sha256').update(rawBody).digest('hex')}`;
    if (this.records.hasEvent(id)) return 'duplicate';

    const result = await this.dispatch(event.data.event, event.data.payload, now);
    this.records.recordEvent(id, event.data.event, now);
    return result;
  }

  private async dispatch(name: string, payload: Record<string, unknown>, now: Date): Promise<WebhookResult> {
    switch (name) {
      case 'payment_link.paid': {
        const { payment_link, payment } = parse(paidPayload, payload, name);
        const outcome = await this.settlement.paid(
          {
            linkId: payment_link.entity.id,
            appointmentId: payment_link.entity.notes ?? payment_link.entity.reference_id ?? undefined,
            paymentId: payment.entity.id,
            amount: payment.entity.amount,
            currency: payment.entity.currency,
            orderId: payment.entity.order_id ?? payment_link.entity.order_id ?? null,
          },
          now,
        );
        this.logger.info({ event: name, linkId: payment_link.entity.id, outcome }, 'payment webhook applied');
        return 'applied';
      }
      case 'payment_link.expired':
      case 'payment_link.cancelled': {
        const { payment_link } = parse(linkPayload, payload, name);
        const outcome = await this.settlement.linkClosed(
          {
            linkId: payment_link.entity.id,
            appointmentId: payment_link.entity.notes ?? undefined,
            status: name === 'payment_link.expired' ? 'expired' : 'cancelled',
          },
          now,
        );
        this.logger.info({ event: name, linkId: payment_link.entity.id, outcome }, 'payment webhook applied');
        // A link this service does not know, or no longer waits on, changes nothing.
        return outcome === 'ignored' || outcome === 'unknown-appointment' ? 'ignored' : 'applied';
      }
      case 'payment.failed': {
        const { payment } = parse(paymentPayload, payload, name);
        const linkId = this.linkOfPayment(payment.entity);
        if (!linkId) return 'ignored';
        const outcome = await this.settlement.paymentFailed({ linkId, paymentId: payment.entity.id, reason: payment.entity.error_description ?? '' });
        this.logger.info({ event: name, linkId, outcome }, 'payment webhook applied');
        return outcome === 'ignored' ? 'ignored' : 'applied';
      }
      default:
        // Other subscribed events are acknowledged so Razorpay stops retrying them.
        return 'ignored';
    }
  }

  /**
   * The link a failed payment was made on. Payments on links carry no notes of their own; they share
   * the link's order id, and their description is "#" plus the link id without its "plink_" prefix.
   */
  private linkOfPayment(payment: z.infer<typeof paymentEntity>): string | undefined {
    if (payment.notes) return this.records.latestForAppointment(payment.notes)?.linkId;
    if (payment.order_id) {
      const byOrder = this.records.findByOrder(payment.order_id);
      if (byOrder) return byOrder.linkId;
    }
    const fromDescription = /^#([A-Za-z0-9]+)$/.exec(payment.description ?? '')?.[1];
    return fromDescription && this.records.getLink(`plink_${fromDescription}`) ? `plink_${fromDescription}` : undefined;
  }
}

function parse<T>(schema: z.ZodType<T>, payload: unknown, name: string): T {
  const result = schema.safeParse(payload);
  if (!result.success) throw new MalformedWebhookError(`${name} without the expected entities`);
  return result.data;
}
