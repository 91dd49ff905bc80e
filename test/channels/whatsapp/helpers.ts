/**
 * The WhatsApp channel on the real app (real engine, SQLite, outbox, sender) with the fake
 * whatsapp-web.js client, every wait injected: reconnects and retries do not sleep, and pacing runs
 * on a virtual clock.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach } from 'vitest';
import type { AppContext } from '../../../src/component.js';
import { createWhatsAppChannel, type WhatsAppChannel, type WhatsAppChannelOptions } from '../../../src/channels/whatsapp/whatsAppComponent.js';
import { AdminLoginGate } from '../../../src/core/admin/login.js';
import { OutboxAdminAlerts } from '../../../src/services/delivery/notifier.js';
import { SqliteAdminLogins } from '../../../src/store/sqlite/auditLog.js';
import type { OutboxEntry } from '../../../src/core/delivery.js';
import { startTestApp, type TestApp } from '../../http/helpers.js';
import { FakeWhatsApp, type SentMessage } from '../../support/fakeWhatsAppClient.js';

/** The admin chat alerts go to in these tests (the admin bot's channel). */
export const ADMIN_CHAT = { channel: 'telegram-admin', chatId: '4242' } as const;

/** A patient's WhatsApp chat (+91 98765 43210). */
export const PATIENT = '919876543210@c.us';

/** Waits the test releases by hand (a reconnect that should not happen yet). */
export class ManualWaits {
  private readonly waiting: (() => void)[] = [];
  private readonly watchers: (() => void)[] = [];
  readonly wait = (_ms: number, signal: AbortSignal): Promise<void> =>
    new Promise((resolve) => {
      this.waiting.push(resolve);
      signal.addEventListener('abort', () => resolve(), { once: true });
      for (const watcher of this.watchers.splice(0)) watcher();
    });

  /** Resolves once something is waiting. */
  whenWaiting(): Promise<void> {
    return this.waiting.length > 0 ? Promise.resolve() : new Promise((resolve) => this.watchers.push(resolve));
  }

  get count(): number {
    return this.waiting.length;
  }

  releaseAll(): void {
    for (const resolve of this.waiting.splice(0)) resolve();
  }
}

/** A monotonic clock for pacing that moves only when the pacer waits. */
export class VirtualPaceClock {
  nowMs = 0;
  readonly waits: number[] = [];
  readonly timer = {
    now: () => this.nowMs,
    wait: async (ms: number) => {
      this.waits.push(ms);
      this.nowMs += ms;
    },
  };
}

export interface WhatsAppTestbed {
  app: TestApp;
  /** The app's clock (also WhatsApp's, which stamps received messages). */
  clock: TestApp['clock'];
  context: AppContext;
  whatsapp: FakeWhatsApp;
  channel: WhatsAppChannel;
  sessionDir: string;
  pace: VirtualPaceClock;
  printed: string[];
  /** Lets every received message be handled and every pending message be sent. */
  settle(): Promise<void>;
  /** Admin chat texts, oldest first. */
  adminTexts(): Promise<string[]>;
  adminEntries(): Promise<OutboxEntry[]>;
  /** A patient writes and the bot answers; returns what was sent to that chat in reply. */
  say(text: string, chatId?: string): Promise<SentMessage[]>;
  /** Answers the last menu sent to the chat with the number of the option containing `label`. */
  choose(label: string, chatId?: string): Promise<SentMessage[]>;
}

export interface TestbedOptions extends WhatsAppChannelOptions {
  env?: Record<string, string>;
  /** Admins configured (alerts and QR pictures to ADMIN_CHAT). */
  admins?: boolean;
  /** ADMIN_PASSWORD: admin chats must log in (through `context.adminLogins`) to be shown the QR code. */
  adminPassword?: string;
  sendPerSecond?: number;
  /** Start the channel (the fake then shows a QR code, or logs in with a stored session). */
  start?: boolean;
  /** Reuse a session directory (a restart). */
  sessionDir?: string;
}

/** The number of the menu option containing `label` in the last menu sent, as the patient reads it. */
export function optionNumber(sent: SentMessage[], label: string): string {
  const menus = sent.filter((m) => /\n\nReply 1/.test(m.text));
  const menu = menus[menus.length - 1];
  if (!menu) throw new Error(`no numbered menu in ${JSON.stringify(sent.map((m) => m.text))}`);
  const line = menu.text.split('\n').find((l) => /^\d+\. /.test(l) && l.includes(label));
  if (!line) throw new Error(`no option "${label}" in:\n${menu.text}`);
  return line.slice(0, line.indexOf('.'));
}

export function startAfterEach() {
  const beds: { dispose(): Promise<void> }[] = [];
  afterEach(async () => {
    while (beds.length > 0) await beds.pop()!.dispose();
  });
  return async (options: TestbedOptions = {}): Promise<WhatsAppTestbed> => {
    const bed = await createTestbed(options);
    beds.push(bed);
    return bed;
  };
}

export async function createTestbed(options: TestbedOptions = {}): Promise<WhatsAppTestbed & { dispose(): Promise<void> }> {
  const app = await startTestApp(options.env ?? {});
  const ownSessionDir = options.sessionDir === undefined;
  const sessionDir = options.sessionDir ?? (await mkdtemp(path.join(tmpdir(), 'clinic-wa-session-')));
  const base = app.app.context;
  const config = {
    ...base.config,
    whatsapp: { enabled: true, sessionDir, sendPerSecond: options.sendPerSecond ?? 1 },
    telegram: options.admins ? { ...base.config.telegram, adminBotToken: 'test-admin-token', adminIds: [ADMIN_CHAT.chatId] } : base.config.telegram,
  };
  const context: AppContext = {
    ...base,
    config,
    alerts: options.admins
      ? new OutboxAdminAlerts({ outbox: base.outbox, clock: base.clock, logger: base.logger, channel: 'telegram-admin', adminChatIds: [ADMIN_CHAT.chatId] })
      : base.alerts,
    ...(options.adminPassword ? { adminLogins: new AdminLoginGate(options.adminPassword, new SqliteAdminLogins(base.db)) } : {}),
  };
  const whatsapp = new FakeWhatsApp(() => base.clock.now());
  const pace = new VirtualPaceClock();
  whatsapp.paceClock = () => pace.nowMs;
  const printed: string[] = [];
  const channel = createWhatsAppChannel(context, {
    createClient: whatsapp.createClient,
    reconnectWait: async () => {},
    senderWait: async () => {},
    paceTimer: pace.timer,
    print: (text) => printed.push(text),
    ...options,
  });
  if (!channel) throw new Error('channel not built');
  if (options.start !== false) await channel.start?.();

  const settle = async () => {
    for (let round = 0; round < 5; round += 1) {
      await channel.settled();
      if (channel.link.readyClient) await channel.sender.idle();
    }
  };
  const say = async (text: string, chatId = PATIENT): Promise<SentMessage[]> => {
    const before = whatsapp.sent.length;
    whatsapp.say(chatId, text);
    await settle();
    return whatsapp.sent.slice(before).filter((m) => m.chatId === chatId);
  };
  const adminEntries = () => base.outbox.listAfter(ADMIN_CHAT, 0, 500);
  let disposed = false;
  return {
    app,
    clock: app.clock,
    context,
    whatsapp,
    channel,
    sessionDir,
    pace,
    printed,
    settle,
    adminEntries,
    adminTexts: async () => (await adminEntries()).map((e) => e.message.text),
    say,
    choose: (label, chatId = PATIENT) => say(optionNumber(whatsapp.sentTo(chatId), label), chatId),
    async dispose() {
      if (disposed) return;
      disposed = true;
      await channel.stop?.();
      await app.dispose();
      if (ownSessionDir) await rm(sessionDir, { recursive: true, force: true });
    },
  };
}
