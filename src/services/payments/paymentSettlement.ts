/**
 * What a payment outcome does to an appointment, wherever the news comes from (the signed webhook or
 * the reconciliation job). Every operation is idempotent: it reads the appointment's own state and
 * pushes with dedupe keys, so the same news applied twice, or in any order, acts once.
 */
import type { Appointment } from '../../core/domain.js';
import { SlotUnavailableError } from '../../core/errors.js';
import { appointmentWhen, confirmationText } from '../../core/flow/describe.js';
import { KeyedLock } from '../../core/keyedLock.js';
import { hasStarted } from '../../core/slots.js';
import type { AdminAlerts, ClinicInfo, ClinicStore, Notifier } from '../../core/ports.js';
import type { Logger } from '../../logging.js';
import type { SqlitePaymentRecords } from '../../store/sqlite/paymentRecords.js';
import type { PatientDocumentService } from '../documents/patientDocuments.js';
import { BacklogDrainer } from '../backlogDrainer.js';
import { formatAmount, fromMinorUnits, toMinorUnits } from './money.js';

/** A captured payment on a link. */
export interface PaidNews {
  linkId: string;
  /** From the link's notes or reference id, for links this service has no record of. */
  appointmentId?: string;
  paymentId: string;
  /** In the currency's smallest unit (paise). */
  amount: number;
  currency: string;
  orderId?: string | null;
}

export type PaidOutcome = 'confirmed' | 'already-applied' | 'paid-after-clinic-choice' | 'refund-due' | 'mismatch' | 'second-payment' | 'unknown-appointment';
export type ClosedOutcome = 'released' | 'patient-told' | 'ignored' | 'unknown-appointment';

export interface PaymentSettlementOptions {
  store: ClinicStore;
  records: SqlitePaymentRecords;
  documents: PatientDocumentService;
  notifier: Notifier;
  alerts: AdminAlerts;
  logger: Logger;
  clinic: ClinicInfo;
}

export class PaymentSettlement {
  /** One outcome at a time per appointment in this process (the store's transactions cover the rest). */
  private readonly lock = new KeyedLock();
  private readonly announcements = new BacklogDrainer({
    pending: () => this.options.records.pendingAnnouncements(1000),
    work: (appointmentId) => this.announceOne(appointmentId),
    onReadError: (error) => this.options.logger.error({ err: error }, 'payments still to announce could not be read; the next sweep tries again'),
  });

  constructor(private readonly options: PaymentSettlementOptions) {}

  private appointmentIdOf(linkId: string, fallback?: string): string | undefined {
    return this.options.records.getLink(linkId)?.appointmentId ?? fallback;
  }

  /** A link was paid: confirm the appointment, or record a refund due, or flag the amount. */
  async paid(news: PaidNews, now: Date): Promise<PaidOutcome> {
    const appointmentId = this.appointmentIdOf(news.linkId, news.appointmentId);
    const { store, records, alerts, clinic, logger } = this.options;
    const money = formatAmount(fromMinorUnits(news.amount, news.currency), news.currency);
    if (!appointmentId) {
      await alerts.alert(`⚠️ Payment ${news.paymentId} of ${money} on link ${news.linkId} matches no appointment. Check it in the Razorpay Dashboard.`, {
        dedupeKey: `payment-unknown:${news.paymentId}`,
      });
      return 'unknown-appointment';
    }
    return this.lock.run(appointmentId, async () => {
      const appointment = await store.getAppointment(appointmentId);
      if (!appointment) {
        await alerts.alert(`⚠️ Payment ${news.paymentId} of ${money} is for appointment ${appointmentId}, which no longer exists. A refund may be due.`, {
          dedupeKey: `payment-unknown:${news.paymentId}`,
        });
        return 'unknown-appointment';
      }
      const expected = toMinorUnits(appointment.fee, clinic.currency);
      if (news.amount !== expected || news.currency !== clinic.currency) {
        records.settleLink(news.linkId, 'mismatch', news.paymentId, news.orderId ?? null, now);
        return this.mismatch(appointment, news, money, now);
      }
      // Read before the payment is recorded on it: whether the link had been cancelled first.
      const linkCancelled = records.getLink(news.linkId)?.status === 'cancelled';
      records.settleLink(news.linkId, 'paid', news.paymentId, news.orderId ?? null, now);

      if (appointment.paymentStatus === 'REFUND_DUE' || appointment.paymentStatus === 'REFUNDED') {
        return appointment.paymentId === news.paymentId ? 'already-applied' : this.secondPayment(appointment, news, money);
      }
      if (appointment.status === 'CONFIRMED') {
        if (appointment.paymentStatus === 'PAID') {
          if (appointment.paymentId !== null && appointment.paymentId !== news.paymentId) return this.secondPayment(appointment, news, money);
          // Same payment again (a redelivery, or a crash before the patient was told): finish the telling.
          if (appointment.paymentId === null) await store.updateAppointment(appointment.id, { paymentId: news.paymentId }, now);
          this.announce(appointment.id, now);
          return 'already-applied';
        }
        // The patient chose "pay at the clinic" but the online payment went through too: it counts.
        await store.updateAppointment(appointment.id, { paymentMode: 'ONLINE', paymentStatus: 'PAID', paymentId: news.paymentId }, now);
        this.announce(appointment.id, now);
        return 'paid-after-clinic-choice';
      }
      if (appointment.status !== 'HELD' && appointment.status !== 'EXPIRED') return this.refundDue(appointment, news, money, now);
      // The patient walked away from this booking (cancelled it, or went for another time) and its
      // link was cancelled: a payment racing that cancel is refunded, not turned back into a booking
      // they said they no longer want (and may have replaced). A hold that merely lapsed is still
      // confirmed below when its time is free: the patient paid for it and wants it.
      if (appointment.status === 'EXPIRED' && linkCancelled) return this.refundDue(appointment, news, money, now, 'cancelled');
      // Links end before the appointment starts, but a payment begun just before can land after it.
      if (hasStarted(appointment, now, clinic.timezone)) return this.refundDue(appointment, news, money, now);

      await store.updateAppointment(appointment.id, { paymentId: news.paymentId }, now);
      try {
        await store.confirmAppointment(appointment.id, { paymentMode: 'ONLINE', paymentStatus: 'PAID' }, now);
      } catch (error) {
        if (error instanceof SlotUnavailableError) return this.refundDue(appointment, news, money, now);
        throw error;
      }
      logger.info({ appointmentId: appointment.id, paymentId: news.paymentId }, 'appointment confirmed by online payment');
      this.announce(appointment.id, now);
      return 'confirmed';
    });
  }

  /** A link expired or was cancelled: release the hold it kept and tell the patient. */
  async linkClosed(news: { linkId: string; appointmentId?: string; status: 'expired' | 'cancelled' }, now: Date): Promise<ClosedOutcome> {
    const { store, records, notifier } = this.options;
    const link = records.getLink(news.linkId);
    // Paid wins over any later or earlier "expired"/"cancelled" for the same link.
    if (link && (link.status === 'paid' || link.status === 'mismatch')) return 'ignored';
    const appointmentId = link?.appointmentId ?? news.appointmentId;
    records.closeLink(news.linkId, news.status, now);
    if (!appointmentId) return 'unknown-appointment';
    return this.lock.run(appointmentId, async () => {
      const appointment = await store.getAppointment(appointmentId);
      if (!appointment) return 'unknown-appointment';
      // Only the link the appointment is waiting on matters; an older, replaced link changes nothing.
      if (link && appointment.paymentLink !== link.url) return 'ignored';
      if (appointment.paymentStatus !== 'PENDING') return 'ignored';
      const wasHeld = appointment.status === 'HELD';
      if (wasHeld) await store.updateAppointment(appointment.id, { status: 'EXPIRED', holdExpiresAt: null }, now);
      // A link this service cancelled itself was closed after the patient moved on (no hold left).
      // An expired link whose hold lapsed a moment earlier still deserves the news.
      if (!wasHeld && !(news.status === 'expired' && appointment.status === 'EXPIRED')) return 'ignored';
      await notifier.send(
        appointment.conversation,
        [
          {
            kind: 'text',
            text:
              `The payment link for your appointment with ${appointment.doctorName} on ${appointmentWhen(appointment)} ` +
              `has ${news.status === 'expired' ? 'expired' : 'been cancelled'}, so that time is no longer held for you. Nothing was charged.\n` +
              'Would you like to book again? Send "menu" and choose "Book an appointment".',
          },
        ],
        { dedupeKey: `link-closed:${appointment.id}` },
      );
      return wasHeld ? 'released' : 'patient-told';
    });
  }

  /** A payment attempt failed: the link stays payable, so the patient may try again. */
  async paymentFailed(news: { linkId: string; paymentId: string; reason: string }): Promise<'patient-told' | 'ignored'> {
    const { store, records, notifier } = this.options;
    const link = records.getLink(news.linkId);
    if (!link || link.status !== 'created') return 'ignored';
    const appointment = await store.getAppointment(link.appointmentId);
    if (!appointment || appointment.status !== 'HELD' || appointment.paymentLink !== link.url) return 'ignored';
    const sent = await notifier.send(
      appointment.conversation,
      [
        {
          kind: 'link',
          text:
            `Your payment did not go through${news.reason ? ` (${news.reason})` : ''}. Nothing was charged. ` +
            'You can try again with a new attempt on the same secure link, or choose "Pay at the clinic instead".',
          url: link.url,
          label: 'Try paying again',
        },
      ],
      { dedupeKey: `payment-failed:${news.paymentId}` },
    );
    return sent ? 'patient-told' : 'ignored';
  }

  /**
   * Stores that the patient is to be told, then tells them in the background. The PDFs take a
   * noticeable fraction of a second each, so the webhook is answered once the confirmation and this
   * note are stored, well within Razorpay's 5 seconds even in a burst; a crash before the telling is
   * resumed by {@link announcePending} (at start and with every reconciliation run).
   */
  private announce(appointmentId: string, now: Date): void {
    this.options.records.queueAnnouncement(appointmentId, now);
    void this.announcePending();
  }

  /** Tells the patients of paid appointments not yet told; resolves when none is left (or all failed for now). */
  announcePending(): Promise<void> {
    return this.announcements.drain();
  }

  private async announceOne(appointmentId: string): Promise<boolean> {
    const { store, records, logger } = this.options;
    try {
      const appointment = await store.getAppointment(appointmentId);
      if (appointment?.status === 'CONFIRMED' && appointment.paymentStatus === 'PAID') await this.announcePaid(appointment);
      records.announcementDone(appointmentId);
      return true;
    } catch (error) {
      // Kept for the next run; the patient's message and the admins' note still go out at most once.
      logger.error({ err: error, appointmentId }, 'paid appointment could not be announced yet');
      records.announcementFailed(appointmentId, error instanceof Error ? error.message : String(error));
      return false;
    }
  }

  /** Resolves when no announcement is in progress (tests, shutdown). */
  idle(): Promise<void> {
    return this.announcements.idle();
  }

  /** Tells the patient (confirmation, its PDF and the invoice) and the admins, each once. */
  private async announcePaid(appointment: Appointment): Promise<void> {
    const { documents, notifier, alerts, clinic } = this.options;
    const confirmation = await documents.confirmation(appointment);
    const invoice = await documents.invoice(appointment);
    await notifier.send(
      appointment.conversation,
      [{ kind: 'text', text: `Payment received, thank you!\n${confirmationText(appointment, clinic)}` }, confirmation, invoice],
      { dedupeKey: `paid:${appointment.id}` },
    );
    await alerts.alert(
      `💳 Paid online: ${formatAmount(appointment.fee, clinic.currency)} for ${appointment.id} (${appointment.doctorName}, ${appointmentWhen(appointment)}), payment ${appointment.paymentId ?? '?'}.`,
      { dedupeKey: `paid:${appointment.id}` },
    );
  }

  /**
   * Records a payment that cannot buy its appointment as a refund due, and tells the patient and the
   * admins why: the time was no longer free (taken or begun), or the booking had been cancelled.
   */
  private async refundDue(appointment: Appointment, news: PaidNews, money: string, now: Date, why: 'unavailable' | 'cancelled' = 'unavailable'): Promise<PaidOutcome> {
    const { store, notifier, alerts, logger } = this.options;
    // A hold it could not buy (its time blocked meanwhile, or begun) is given up with it: the
    // patient is told to book another time, so nothing must keep that place.
    const release = appointment.status === 'HELD' ? ({ status: 'EXPIRED', holdExpiresAt: null } as const) : {};
    await store.updateAppointment(appointment.id, { ...release, paymentMode: 'ONLINE', paymentStatus: 'REFUND_DUE', paymentId: news.paymentId }, now);
    const booking = `${appointment.doctorName}, ${appointmentWhen(appointment)}`;
    logger.warn({ appointmentId: appointment.id, paymentId: news.paymentId, why }, 'payment arrived for a booking it can no longer buy: refund due');
    const patientReason =
      why === 'cancelled'
        ? ` for the booking you had cancelled (${booking}). It stays cancelled.`
        : `, but the time you chose (${booking}) was no longer available when it arrived, so it could not be booked.`;
    await notifier.send(
      appointment.conversation,
      [
        {
          kind: 'text',
          text:
            `We received your payment of ${money}${patientReason} The clinic will refund the full amount; you need not do anything. ` +
            'To book another time, send "menu".',
        },
      ],
      { dedupeKey: `refund-due:${appointment.id}` },
    );
    const adminReason = why === 'cancelled' ? 'arrived after the booking was cancelled' : 'arrived when the time was no longer free';
    await alerts.alert(
      `⚠️ Refund due: payment ${news.paymentId} of ${money} for ${appointment.id} (${booking}) ${adminReason}. Refund it in the Razorpay Dashboard; /refunds lists every refund due.`,
      { dedupeKey: `refund-due:${appointment.id}` },
    );
    return 'refund-due';
  }

  private async mismatch(appointment: Appointment, news: PaidNews, money: string, now: Date): Promise<PaidOutcome> {
    const { store, notifier, alerts, clinic } = this.options;
    const expected = formatAmount(appointment.fee, clinic.currency);
    const note = `Payment ${news.paymentId} of ${money} did not match the fee ${expected}; not confirmed.`;
    if (!appointment.notes.includes(news.paymentId)) {
      await store.updateAppointment(appointment.id, { notes: appointment.notes ? `${appointment.notes}\n${note}` : note }, now);
    }
    await alerts.alert(`⚠️ ${appointment.id}: ${note} Check it in the Razorpay Dashboard and confirm or refund.`, { dedupeKey: `payment-mismatch:${news.paymentId}` });
    await notifier.send(
      appointment.conversation,
      [{ kind: 'text', text: `We received a payment for your appointment ${appointment.id}, but it does not match the fee, so the booking is not confirmed yet. The clinic will contact you about it.` }],
      { dedupeKey: `payment-mismatch:${news.paymentId}` },
    );
    return 'mismatch';
  }

  private async secondPayment(appointment: Appointment, news: PaidNews, money: string): Promise<PaidOutcome> {
    await this.options.alerts.alert(
      `⚠️ A second payment ${news.paymentId} of ${money} arrived for ${appointment.id}, already settled by ${appointment.paymentId ?? 'another payment'}. Refund one of them in the Razorpay Dashboard.`,
      { dedupeKey: `second-payment:${news.paymentId}` },
    );
    return 'second-payment';
  }
}
