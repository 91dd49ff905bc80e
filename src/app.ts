/**
 * Composition root: builds the store, services, channels and HTTP server from the configuration, and
 * takes them down again in order. The only module that wires concrete classes together; index.ts
 * adds the process concerns (environment, signals, start-up lines) and tests start this in-process.
 */
import { mkdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { Express } from 'express';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { telegramAdminComponent, telegramComponent } from './channels/telegram/telegramComponent.js';
import { WebChatChannel } from './channels/web/webChatChannel.js';
import { whatsappComponent } from './channels/whatsapp/whatsAppComponent.js';
import type { AppComponent, AppContext } from './component.js';
import type { AppConfig } from './config.js';
import { ClinicAdminConsole } from './core/admin/index.js';
import { AdminLoginGate } from './core/admin/login.js';
import { ConversationEngine } from './core/engine.js';
import type { FlowSettings } from './core/flow/turn.js';
import type { AdminConsole, ClinicStore, Clock, PaymentGateway } from './core/ports.js';
import { describeFeatures, type FeatureStatus } from './features.js';
import { createHttpApp } from './http/app.js';
import { metricsRoute } from './http/metricsRoute.js';
import { createLogger, type Logger } from './logging.js';
import { aiComponent, createIntentDetector } from './services/ai/index.js';
import { DocumentVault, loadOrCreateSigningKey } from './services/files/documentVault.js';
import { createPaymentServices, paymentsComponent } from './services/payments/paymentsComponent.js';
import { LocalReportStorage } from './services/files/reportStorage.js';
import { createSchedulerComponent, owedDocumentsJob, paymentReconciliationJob } from './services/scheduler/schedulerComponent.js';
import { adminChats } from './services/delivery/adminChats.js';
import { OutboxAdminAlerts, OutboxNotifier } from './services/delivery/notifier.js';
import { ServiceMetrics } from './services/metrics.js';
import { MemoryFloodGuard } from './services/rateLimits.js';
import { SqliteAdminLogins, SqliteAuditLog } from './store/sqlite/auditLog.js';
import { SqliteHeldAdminAlerts } from './store/sqlite/heldAdminAlerts.js';
import { createSheetsClinicStore, sheetsStoreComponent } from './store/sheets/index.js';
import { openClinicDatabase, seedSampleData, SqliteClinicStore, SqliteOutbox, SqliteRequestKeys, SqliteSessionStore } from './store/sqlite/index.js';

export interface StartOptions {
  clock?: Clock;
  logger?: Logger;
  /** Interface to listen on; all interfaces by default. */
  host?: string;
}

export interface RunningApp {
  /** Where the web chat is, e.g. http://localhost:3000. */
  url: string;
  features: FeatureStatus[];
  /** The shared parts, for tests and operator scripts running in-process. */
  context: AppContext;
  /** Stops taking messages, finishes the ones in progress, closes the server and the database. */
  close(): Promise<void>;
}

const PUBLIC_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'public');
const systemClock: Clock = { now: () => new Date() };

/** How long a signed download link in the web chat stays valid. */
const DOWNLOAD_LINK_MINUTES = 60;
/** How long web chat transcripts are kept. */
const TRANSCRIPT_DAYS = 30;
/** Requests one web chat session may make per minute: polling every 3 s plus a brisk patient's taps. */
const WEB_CHAT_REQUESTS_PER_MINUTE = 120;
/** Connections the kernel may queue before the service accepts them (capped by net.core.somaxconn). */
const LISTEN_BACKLOG = 4096;
/** Time in-flight HTTP requests get to finish at shutdown before connections are cut. */
const SHUTDOWN_GRACE_MS = 10_000;

function flowSettings(config: AppConfig): FlowSettings {
  return {
    clinic: config.clinic,
    phoneRegion: config.phoneRegion,
    holdMinutes: config.holdMinutes,
    maxUploadBytes: config.maxUploadBytes,
    slotPageSize: 8,
    bookingWindowDays: 30,
    maxReportsPerAppointment: 10,
  };
}

/** Starts listening; resolves once the port is bound, with a clear error when it is taken. */
function listen(app: Express, port: number, host: string | undefined): Promise<{ server: Server; address: AddressInfo }> {
  return new Promise((resolve, reject) => {
    // Without a host Node listens on every interface, IPv6 and IPv4 where available. A deep accept
    // queue: a crowd of patients connecting at once waits instead of being reset (Node's default is 511).
    const server = createServer(app).listen({ port, host, backlog: LISTEN_BACKLOG });
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(error.code === 'EADDRINUSE' ? new Error(`Port ${port} is already in use: stop the other program or set PORT to a free port.`) : error),
    );
    server.once('listening', () => resolve({ server, address: server.address() as AddressInfo }));
  });
}

export async function startApp(config: AppConfig, options: StartOptions = {}): Promise<RunningApp> {
  const clock = options.clock ?? systemClock;
  const logger = options.logger ?? createLogger(config.logLevel, undefined, config.logFormat);
  mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });

  const db = openClinicDatabase(path.join(config.dataDir, 'clinic.db'));
  // With a Google Sheet the clinic's doctors and slots are the sheet's: no samples.
  if (!config.google && seedSampleData(db, { now: clock.now(), timezone: config.clinic.timezone })) {
    logger.info('empty store: added sample doctors and slots for the next 14 days');
  }
  const store: ClinicStore = config.google
    ? createSheetsClinicStore(db, config.google, { clock, logger, timezone: config.clinic.timezone })
    : new SqliteClinicStore(db);
  const outbox = new SqliteOutbox(db);
  const sessions = new SqliteSessionStore(db, outbox);
  const documents = new DocumentVault(
    path.join(config.dataDir, 'documents'),
    await loadOrCreateSigningKey(path.join(config.dataDir, 'keys', 'download-signing.key')),
  );
  const notifier = new OutboxNotifier(outbox, documents, clock);
  // Admins are reached on Telegram only: on the admin bot when there is one, else on the patient bot.
  const admins = adminChats(config.telegram);
  const adminsReachable = admins.chatIds.length > 0;
  const adminLogins = new SqliteAdminLogins(db);
  // With ADMIN_PASSWORD, pushes to admins (agenda, alerts) reach only logged-in chats; the others' wait for their /login.
  const adminLoginGate = config.telegram.adminPassword
    ? new AdminLoginGate(config.telegram.adminPassword, adminLogins, {}, new SqliteHeldAdminAlerts(db, outbox))
    : undefined;
  const alerts = new OutboxAdminAlerts({
    outbox,
    clock,
    logger,
    channel: admins.channel,
    adminChatIds: admins.chatIds,
    ...(adminLoginGate ? { loginGate: adminLoginGate } : {}),
  });
  const reports = new LocalReportStorage(path.join(config.dataDir, 'reports'));
  // Confirmation and invoice PDFs always; Razorpay payment links when the RAZORPAY_* variables are set.
  const paymentServices = createPaymentServices({ config, db, store, files: documents, notifier, alerts, clock, logger });
  const payments: PaymentGateway | undefined = paymentServices.gateway;
  // The rules always understand free text; Gemini goes in front of them when GEMINI_API_KEY is set.
  const intents = createIntentDetector(config, { clock, logger });

  const components: AppComponent[] = [];
  const metrics = new ServiceMetrics({
    db,
    outbox,
    extraGauges: async () => {
      const figures: Record<string, number> = {};
      for (const component of components) {
        for (const [name, value] of Object.entries(component.gauges?.() ?? {})) figures[`${component.name}_${name}`] = value;
      }
      return figures;
    },
  });

  const engine = new ConversationEngine({
    deps: {
      store,
      reports,
      settings: flowSettings(config),
      logger,
      alerts,
      ...(payments ? { payments } : {}),
      intents,
      documents: paymentServices.documents,
    },
    sessions,
    outbox,
    files: documents,
    clock,
    sessionTtlHours: config.sessionTtlHours,
    floodGuard: new MemoryFloodGuard(),
    onTurn: metrics.recordTurn,
  });

  // Admin commands exist once admins are named and a Telegram bot can carry them.
  const admin: AdminConsole | undefined =
    adminsReachable
      ? new ClinicAdminConsole({
          store,
          notifier,
          alerts,
          outbox,
          reports,
          audit: new SqliteAuditLog(db),
          logins: adminLogins,
          adminIds: config.telegram.adminIds,
          password: config.telegram.adminPassword,
          ...(adminLoginGate ? { loginGate: adminLoginGate } : {}),
          clinic: config.clinic,
          phoneRegion: config.phoneRegion,
          logger,
          // Cash received: the same invoice as an online payment, sent to the patient once.
          onPaidAtClinic: async (appointment) => {
            await paymentServices.documents.sendCashInvoice(appointment);
          },
        })
      : undefined;

  let baseUrl = config.publicBaseUrl ?? `http://localhost:${config.port}`;
  const requestKeys = new SqliteRequestKeys(db);
  const context: AppContext = {
    config,
    clock,
    logger,
    db,
    store,
    sessions,
    outbox,
    documents,
    engine,
    notifier,
    alerts,
    requestKeys,
    metrics,
    ...(adminLoginGate ? { adminLogins: adminLoginGate } : {}),
    ...(admin ? { admin } : {}),
    baseUrl: () => baseUrl,
  };
  const webChat = new WebChatChannel({
    engine,
    outbox,
    documents,
    clock,
    // Without PUBLIC_BASE_URL, links are relative: they work whatever host name the browser used.
    downloadBaseUrl: config.publicBaseUrl ?? '',
    downloadLinkMinutes: DOWNLOAD_LINK_MINUTES,
    requestKeys,
  });

  // Channels and services beyond the web chat, in start order (stopped in reverse).
  const addComponent = async (make: (ctx: AppContext) => Promise<AppComponent | undefined>) => {
    const component = await make(context);
    if (component) components.push(component);
  };
  const stopComponents = async () => {
    for (const component of [...components].reverse()) {
      await component.stop?.().catch((error: unknown) => logger.error({ err: error, component: component.name }, 'component did not stop cleanly'));
    }
  };
  /** Undoes a start that failed half-way: nothing may keep the database or a port open. */
  const abandon = async (error: unknown): Promise<never> => {
    await stopComponents();
    await paymentServices.documents.close();
    await store.close();
    throw error;
  };
  try {
    await addComponent(sheetsStoreComponent);
    await addComponent((ctx) => paymentsComponent(ctx, paymentServices));
    await addComponent(telegramComponent);
    await addComponent(telegramAdminComponent);
    await addComponent(whatsappComponent);
    // Its start-up line and /health say when Google refuses the Gemini key or model.
    await addComponent(async () => aiComponent(config, intents));
    await addComponent((ctx) =>
      createSchedulerComponent(ctx, {
        transcriptDays: TRANSCRIPT_DAYS,
        extraJobs: [
          owedDocumentsJob(() => paymentServices.documents.sendOwed()),
          ...(config.razorpay ? [paymentReconciliationJob((now) => paymentServices.reconcilePayments(now))] : []),
        ],
      }),
    );
  } catch (error) {
    await abandon(error);
  }

  let shuttingDown = false;
  const features = () => {
    const overrides = new Map(components.flatMap((c) => (c.feature ? [[c.feature.name, c.feature] as const] : [])));
    return describeFeatures(config, baseUrl).map((feature) => overrides.get(feature.name) ?? feature);
  };
  const app = createHttpApp({
    webChat,
    documents,
    clock,
    logger,
    publicDir: PUBLIC_DIR,
    clinicName: config.clinic.name,
    maxUploadBytes: config.maxUploadBytes,
    voiceNotes: intents?.transcribe !== undefined,
    isShuttingDown: () => shuttingDown,
    routes: [metricsRoute(metrics.registry, config.metricsToken), ...components.flatMap((c) => c.routes ?? [])],
    perIpPerMinute: config.rateLimitPerMinute,
    perChatPerMinute: WEB_CHAT_REQUESTS_PER_MINUTE,
    health: async () => {
      const kind = config.google ? 'sheets' : 'sqlite';
      const storeState = await store.ping().then(
        () => ({ ok: true, kind }),
        (error: unknown) => ({ ok: false, kind, error: error instanceof Error ? error.message : String(error) }),
      );
      const parts: Record<string, { ok: boolean }> = {};
      for (const component of components) {
        if (component.health) {
          parts[component.name] = await component.health().catch((error: unknown) => ({ ok: false, error: error instanceof Error ? error.message : String(error) }));
        }
      }
      const ok = storeState.ok && !shuttingDown && Object.values(parts).every((part) => part.ok);
      return {
        ok,
        status: shuttingDown ? 'shutting-down' : ok ? 'ok' : 'degraded',
        store: storeState,
        ...parts,
        features: Object.fromEntries(features().map((f) => [f.name, { on: f.on, detail: f.publicDetail ?? f.detail }])),
      };
    },
  });

  let server!: Server;
  let address!: AddressInfo;
  try {
    ({ server, address } = await listen(app, config.port, options.host));
  } catch (error) {
    await abandon(error);
  }
  if (!config.publicBaseUrl) baseUrl = `http://localhost:${address.port}`;
  logger.info({ port: address.port }, 'listening');
  try {
    for (const component of components) await component.start?.();
  } catch (error) {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await abandon(error);
  }

  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      shuttingDown = true;
      const serverClosed = new Promise<void>((resolve) => server.close(() => resolve()));
      // Keep-alive connections become idle only when their request is answered: sweep until closed.
      server.closeIdleConnections();
      const sweep = setInterval(() => server.closeIdleConnections(), 50);
      const cut = setTimeout(() => server.closeAllConnections(), SHUTDOWN_GRACE_MS);
      await engine.close();
      await serverClosed;
      clearInterval(sweep);
      clearTimeout(cut);
      await stopComponents();
      // After the components: a payment announcement finishing at stop still gets its PDFs.
      await paymentServices.documents.close();
      await store.close();
      logger.info('stopped');
    })());

  return { url: baseUrl, features: features(), close, context };
}
