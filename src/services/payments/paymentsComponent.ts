/**
 * Online payment and patient documents, as the composition root sees them. The documents service and
 * the gateway are built before the conversation engine (the flow uses both); the component then adds
 * the webhook route and the page patients return to after paying once the HTTP server is up.
 */
import type Database from 'better-sqlite3';
import type { AppComponent, AppContext } from '../../component.js';
import type { AppConfig } from '../../config.js';
import type { DocumentFiles } from '../../core/delivery.js';
import type { AdminAlerts, ClinicStore, Clock, Notifier } from '../../core/ports.js';
import type { Logger } from '../../logging.js';
import { SqlitePaymentRecords } from '../../store/sqlite/paymentRecords.js';
import { PatientDocumentService } from '../documents/patientDocuments.js';
import { sharedPdfRenderer } from '../documents/sharedRenderer.js';
import { PAYMENT_RETURN_PATH, paymentReturnRoutes } from './paymentReturnRoute.js';
import { PaymentSettlement } from './paymentSettlement.js';
import { PaymentReconciler, type ReconciliationReport } from './reconciliation.js';
import { RazorpayLinks } from './razorpayClient.js';
import { RazorpayGateway } from './razorpayGateway.js';
import { RazorpayWebhookEvents } from './webhookEvents.js';
import { razorpayWebhookRoutes } from './webhookRoutes.js';

export interface PaymentServiceParts {
  config: AppConfig;
  db: Database.Database;
  store: ClinicStore;
  /** Private storage of generated PDFs (the document vault). */
  files: DocumentFiles;
  notifier: Notifier;
  alerts: AdminAlerts;
  clock: Clock;
  logger: Logger;
}

/** The payment and document services of one running app. */
export interface PaymentServices {
  /** Confirmation and invoice PDFs (always on); `sendCashInvoice` is the admin console's /paid hook. */
  documents: PatientDocumentService;
  /** Present when the three RAZORPAY_* variables are set. */
  gateway?: RazorpayGateway;
  online?: { links: RazorpayLinks; records: SqlitePaymentRecords; settlement: PaymentSettlement; reconciler: PaymentReconciler; events: RazorpayWebhookEvents };
  /** Applies every open link's state from the API; a no-op without Razorpay. For a scheduler, or tests. */
  reconcilePayments(now: Date): Promise<ReconciliationReport>;
}

/** Builds the services; no network call happens here. */
export function createPaymentServices(parts: PaymentServiceParts): PaymentServices {
  const { config, db, store, files, notifier, alerts, clock, logger } = parts;
  const documents = new PatientDocumentService({
    db,
    store,
    files,
    // In worker threads, so a PDF never holds up the other patients' turns.
    renderer: sharedPdfRenderer(logger),
    notifier,
    alerts,
    clock,
    logger,
    clinic: config.clinic,
  });
  if (!config.razorpay) return { documents, reconcilePayments: async () => ({ checked: 0, paid: 0, closed: 0, failed: 0 }) };

  const links = new RazorpayLinks(config.razorpay);
  const records = new SqlitePaymentRecords(db);
  const settlement = new PaymentSettlement({ store, records, documents, notifier, alerts, logger, clinic: config.clinic });
  const reconciler = new PaymentReconciler(links, records, settlement, logger);
  const events = new RazorpayWebhookEvents(records, settlement, logger);
  return {
    documents,
    // Razorpay can only send the patient back to an address it can reach: PUBLIC_BASE_URL, when set.
    gateway: new RazorpayGateway(links, records, clock, logger, {
      callbackUrl: config.publicBaseUrl ? `${config.publicBaseUrl}${PAYMENT_RETURN_PATH}` : undefined,
    }),
    online: { links, records, settlement, reconciler, events },
    reconcilePayments: (now) => reconciler.reconcile(now),
  };
}

/**
 * The webhook route and the page patients land on after paying; undefined when Razorpay is not
 * configured. Reconciliation of missed webhooks runs on the clinic's scheduler
 * ({@link PaymentServices.reconcilePayments}).
 */
export async function paymentsComponent(ctx: AppContext, services: PaymentServices): Promise<AppComponent | undefined> {
  const { config, clock, logger, metrics, store } = ctx;
  if (!config.razorpay || !services.online) return undefined;
  const { events, records } = services.online;
  const chatChannel = async (linkId: string) => {
    const link = records.getLink(linkId);
    return link ? (await store.getAppointment(link.appointmentId))?.conversation.channel : undefined;
  };
  return {
    name: 'payments',
    routes: [
      razorpayWebhookRoutes({ webhookSecret: config.razorpay.webhookSecret, events, clock, logger, metrics }),
      paymentReturnRoutes({ keySecret: config.razorpay.keySecret, logger, chatChannel }),
    ],
    health: async () => ({ ok: true, openLinks: records.openLinks().length }),
    gauges: () => ({ open_links: records.openLinks().length }),
    async stop() {
      await services.online?.settlement.idle();
    },
  };
}
