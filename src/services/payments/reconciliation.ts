/**
 * Catches payment news whose webhook never came (the service was down, the webhook misconfigured):
 * every open link is fetched from the API and its state applied like the webhook would. A payment
 * that landed after its hold lapsed confirms the appointment if the time is still free, and becomes a
 * refund due otherwise, so money is never silently lost.
 */
import type { Logger } from '../../logging.js';
import type { SqlitePaymentRecords } from '../../store/sqlite/paymentRecords.js';
import type { PaymentSettlement } from './paymentSettlement.js';
import type { RazorpayLinks } from './razorpayClient.js';

export interface ReconciliationReport {
  checked: number;
  paid: number;
  closed: number;
  failed: number;
}

export class PaymentReconciler {
  private running: Promise<ReconciliationReport> | undefined;

  constructor(
    private readonly links: RazorpayLinks,
    private readonly records: SqlitePaymentRecords,
    private readonly settlement: PaymentSettlement,
    private readonly logger: Logger,
  ) {}

  /** Checks every open link once; a run already in progress is joined, not doubled. */
  reconcile(now: Date): Promise<ReconciliationReport> {
    this.running ??= this.run(now).finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async run(now: Date): Promise<ReconciliationReport> {
    const report: ReconciliationReport = { checked: 0, paid: 0, closed: 0, failed: 0 };
    for (const link of this.records.openLinks()) {
      report.checked += 1;
      try {
        const remote = await this.links.fetch(link.linkId);
        if (remote.status === 'paid') {
          const payment = remote.payments?.find((p) => p.status === 'captured') ?? remote.payments?.[0];
          await this.settlement.paid(
            {
              linkId: link.linkId,
              appointmentId: link.appointmentId,
              paymentId: payment?.payment_id ?? `${link.linkId}:payment`,
              amount: payment?.amount ?? remote.amount_paid,
              currency: remote.currency,
              orderId: remote.order_id ?? null,
            },
            now,
          );
          report.paid += 1;
        } else if (remote.status === 'expired' || remote.status === 'cancelled') {
          await this.settlement.linkClosed({ linkId: link.linkId, appointmentId: link.appointmentId, status: remote.status }, now);
          report.closed += 1;
        }
      } catch (error) {
        report.failed += 1;
        this.logger.warn({ err: error, linkId: link.linkId }, 'payment link could not be reconciled; will try again');
      }
    }
    // Patients of payments confirmed before a crash or restart are told now.
    await this.settlement.announcePending();
    if (report.paid + report.closed + report.failed > 0) this.logger.info(report, 'payment links reconciled');
    return report;
  }
}
