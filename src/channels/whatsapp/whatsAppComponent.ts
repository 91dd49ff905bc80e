/**
 * The WhatsApp channel as the app starts it (WHATSAPP_ENABLED=true): the link to WhatsApp Web, the
 * inbox feeding the engine, the paced outbox sender, GET /whatsapp/qr, its /health part and start-up
 * line, and the admins told whenever the link changes.
 */
import type { AppComponent, AppContext } from '../../component.js';
import type { FeatureStatus } from '../../features.js';
import { adminRoutes } from '../../services/delivery/adminChats.js';
import { OutboxSender, SHUTDOWN_DELIVERY_GRACE_MS } from '../../services/delivery/outboxSender.js';
import { alertUndeliverable } from '../../services/delivery/undeliverableAlerts.js';
import { LinkMoment } from './linkMoment.js';
import { QrAnnouncer } from './qrAnnouncer.js';
import { whatsAppQrRoutes } from './qrRoutes.js';
import { SendPacer, type PaceTimer } from './sendPacer.js';
import { createWebJsClient, DEFAULT_CHROME_PATH, type CreateWhatsAppClient } from './whatsAppClient.js';
import { WhatsAppInbox } from './whatsAppInbox.js';
import { WhatsAppLink, type LinkStatus } from './whatsAppLink.js';
import { WhatsAppTransport } from './whatsAppTransport.js';

/** What can be swapped, for tests (and other hosts): the client, and every wait. */
export interface WhatsAppChannelOptions {
  /** Builds a whatsapp-web.js Client; the real one by default. */
  createClient?: CreateWhatsAppClient;
  /** Waits between reconnect tries (and after a logout). */
  reconnectWait?: (ms: number, signal: AbortSignal) => Promise<void>;
  /** Waits between delivery retries of the outbox sender. */
  senderWait?: (ms: number, signal: AbortSignal) => Promise<void>;
  /** Time for the send pacing. */
  paceTimer?: PaceTimer;
  /** Terminal output for the QR code. */
  print?: (text: string) => void;
  maxReconnectAttempts?: number;
}

/** The started channel: an {@link AppComponent} plus its parts, for tests and operators. */
export interface WhatsAppChannel extends AppComponent {
  readonly link: WhatsAppLink;
  readonly inbox: WhatsAppInbox;
  readonly sender: OutboxSender;
  /** Resolves once no reconnect, received message or admin notice is being worked on. */
  settled(): Promise<void>;
}

function featureDetail(status: LinkStatus, qrUrl: string, chromePath: string): string {
  switch (status.state) {
    case 'starting':
      return `starting WhatsApp Web in ${chromePath}; a QR code follows if the number is not linked yet`;
    case 'waiting-for-qr':
      return `waiting for a QR scan: scan the code in the terminal (or ${qrUrl}, admin password) in WhatsApp > Linked devices`;
    case 'authenticated':
      return 'linked; loading chats';
    case 'ready':
      return 'linked and ready';
    case 'reconnecting':
      return `disconnected (${status.reason}); reconnecting, try ${status.attempt}`;
    case 'logged-out':
      return `logged out on the phone (${status.reason}); a new QR code follows`;
    case 'failed':
      return `not connected: ${status.reason}. Check the server's network and Chromium, then restart`;
    case 'unavailable':
      return status.reason ?? 'cannot start';
    case 'stopped':
      return 'stopped';
  }
}

/** What the admins are told when the link changes; undefined for changes not worth a message. */
function announcement(status: LinkStatus, previous: LinkStatus): string | undefined {
  switch (status.state) {
    case 'ready':
      return 'WhatsApp is linked and ready: patients can book on WhatsApp.';
    case 'reconnecting':
      // Once per outage, not once per try.
      return previous.state === 'ready' || previous.state === 'authenticated'
        ? `WhatsApp disconnected (${status.reason}). Reconnecting; messages wait in the outbox meanwhile.`
        : undefined;
    case 'logged-out':
      return 'WhatsApp was logged out on the phone. The stored session is cleared; scan the new QR code to link the number again.';
    case 'failed':
      return `WhatsApp is not connected: ${status.reason}. Messages wait in the outbox; restart the service once the cause is fixed.`;
    case 'unavailable':
      return `WhatsApp cannot start: ${status.reason}`;
    default:
      return undefined;
  }
}

/** Builds the channel; undefined when WHATSAPP_ENABLED is not true. */
export function createWhatsAppChannel(ctx: AppContext, options: WhatsAppChannelOptions = {}): WhatsAppChannel | undefined {
  const { config, clock, logger } = ctx;
  if (!config.whatsapp.enabled) return undefined;
  const chromePath = config.whatsapp.chromePath || DEFAULT_CHROME_PATH;
  const qrUrl = () => `${ctx.baseUrl()}/whatsapp/qr`;
  const stopping = new AbortController();
  const linkMoment = new LinkMoment(ctx.db);
  // Notices to admins run beside the link's events; kept so they can be awaited (tests, shutdown).
  const background = new Set<Promise<unknown>>();
  const track = (task: Promise<unknown>) => {
    const quiet = task.catch((error: unknown) => logger.error({ err: error }, 'whatsapp notice failed'));
    background.add(quiet);
    void quiet.finally(() => background.delete(quiet));
  };
  const backgroundSettled = async () => {
    while (background.size > 0) await Promise.allSettled([...background]);
  };

  const { adminLogins } = ctx;
  const qr = new QrAnnouncer({
    print: options.print ?? ((text) => process.stdout.write(text)),
    alerts: ctx.alerts,
    adminRoutes: adminRoutes(ctx.config.telegram),
    ...(adminLogins ? { loggedIn: async (route, now) => (await adminLogins.loggedInUntil(route, now)) !== undefined } : {}),
    outbox: ctx.outbox,
    files: ctx.documents,
    clock,
    logger,
    qrUrl,
  });
  const inbox = new WhatsAppInbox({ engine: ctx.engine, outbox: ctx.outbox, clock, logger, linkedAt: () => linkMoment.get() });

  let sender: OutboxSender | undefined;
  const link = new WhatsAppLink({
    createClient: options.createClient ?? createWebJsClient,
    settings: { sessionDir: config.whatsapp.sessionDir, chromePath },
    clock,
    logger,
    linkMoment,
    ...(options.reconnectWait ? { wait: options.reconnectWait } : {}),
    ...(options.maxReconnectAttempts !== undefined ? { maxReconnectAttempts: options.maxReconnectAttempts } : {}),
    listener: {
      qr: (code) => track(qr.show(code)),
      message: (message) => inbox.receive(message),
      stateChanged(status, previous) {
        if (status.state !== 'waiting-for-qr') qr.reset();
        // Messages that waited in the outbox go out now, in order.
        if (status.state === 'ready') sender?.wake();
        const text = announcement(status, previous);
        if (text) track(ctx.alerts.alert(text));
      },
    },
  });

  sender = new OutboxSender({
    outbox: ctx.outbox,
    transport: new WhatsAppTransport({ link, pacer: new SendPacer(config.whatsapp.sendPerSecond, options.paceTimer), signal: stopping.signal }),
    files: ctx.documents,
    clock,
    logger,
    onUndeliverable: alertUndeliverable({ ...ctx, timezone: ctx.config.clinic.timezone }, 'WhatsApp'),
    ...(options.senderWait ? { wait: options.senderWait } : {}),
  });
  const outboxSender = sender;

  return {
    name: 'whatsapp',
    link,
    inbox,
    sender: outboxSender,
    async settled() {
      for (let round = 0; round < 3; round += 1) {
        await link.settled();
        await inbox.settled();
        await backgroundSettled();
      }
    },
    get feature(): FeatureStatus {
      const status = link.status;
      return {
        name: 'whatsapp',
        kind: 'channel',
        on: status.state !== 'unavailable' && status.state !== 'stopped',
        detail: featureDetail(status, qrUrl(), chromePath),
        publicDetail: featureDetail(status, qrUrl(), 'Chromium'),
      };
    },
    routes: [
      whatsAppQrRoutes({
        adminPassword: config.telegram.adminPassword,
        clock,
        pendingQr() {
          const code = link.pendingQr;
          if (code) return { qr: code };
          const { state } = link.status;
          return { none: state === 'ready' || state === 'authenticated' ? 'WhatsApp is already linked; no QR code to scan.' : `No QR code right now (WhatsApp is ${state}).` };
        },
      }),
    ],
    async health() {
      const status = link.status;
      const [backlog, connection] = await Promise.all([ctx.outbox.backlog('whatsapp'), link.connectionState()]);
      return {
        ok: status.state !== 'failed' && status.state !== 'unavailable',
        ...status,
        ...(connection ? { connection } : {}),
        waitingForScan: status.state === 'waiting-for-qr',
        pending: backlog.pending,
        undeliverable: backlog.undeliverable,
      };
    },
    async start() {
      outboxSender.start();
      link.start();
    },
    async stop() {
      await inbox.close();
      // Replies already stored get a moment to go out, as on Telegram, but only over a live link: a
      // link that is down would only hold the shutdown, and the outbox keeps them for the next start.
      if (link.status.state === 'ready') await outboxSender.drainWithin(SHUTDOWN_DELIVERY_GRACE_MS);
      // Lets go of paced waits and of sends WhatsApp Web has not answered (a frozen page never does),
      // so the wait for the sender below ends; those entries stay pending for the next start.
      stopping.abort();
      // The sender stops taking entries first; deliveries waiting for the link are then let go.
      const senderStopped = outboxSender.stop();
      link.releaseWaiters();
      await senderStopped;
      await link.stop();
      await backgroundSettled();
    },
  };
}

/** The app's factory (src/app.ts): the channel when WHATSAPP_ENABLED=true. */
export async function whatsappComponent(ctx: AppContext): Promise<AppComponent | undefined> {
  return createWhatsAppChannel(ctx);
}
