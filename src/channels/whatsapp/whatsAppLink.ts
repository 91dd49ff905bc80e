/**
 * Keeps the clinic's number linked: starts a whatsapp-web.js client, follows its login (QR, then
 * ready), and replaces it when it goes away. whatsapp-web.js destroys a client on disconnect, so every
 * reconnect builds a new one, with capped exponential backoff and a bounded number of tries. A logout
 * from the phone clears the stored session and starts over with a QR code.
 */
import { readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import type { Clock } from '../../core/ports.js';
import type { Logger } from '../../logging.js';
import { ChromiumNotFoundError } from './errors.js';
import type { LinkMoment } from './linkMoment.js';
import type { ClientSettings, CreateWhatsAppClient, WhatsAppClient, WhatsAppMessage } from './whatsAppClient.js';
import { waitOrAbort } from '../../core/waitOrAbort.js';

/** Where the link is. */
export type LinkState =
  | 'starting'
  | 'waiting-for-qr'
  | 'authenticated'
  | 'ready'
  | 'reconnecting'
  | 'logged-out'
  /** Gave up reconnecting; a restart (or an operator) has to step in. */
  | 'failed'
  /** Cannot run at all here (no Chromium). */
  | 'unavailable'
  | 'stopped';

export interface LinkStatus {
  state: LinkState;
  /** When this state began (ISO). */
  since: string;
  /** Why the link went down or cannot start. */
  reason?: string;
  /** The reconnect try under way, while reconnecting. */
  attempt?: number;
}

/** What the link tells the rest of the channel. */
export interface LinkListener {
  /** A new QR code to scan (WhatsApp rotates it every 20 seconds or so). */
  qr?(qr: string): void;
  stateChanged?(status: LinkStatus, previous: LinkStatus): void;
  /** A received message from the current client. */
  message?(message: WhatsAppMessage): void;
}

export interface WhatsAppLinkOptions {
  createClient: CreateWhatsAppClient;
  settings: ClientSettings;
  clock: Clock;
  logger: Logger;
  linkMoment: LinkMoment;
  listener: LinkListener;
  /** Tries after a disconnect before giving up and telling the admins. */
  maxReconnectAttempts?: number;
  /** First reconnect delay; doubles per try up to {@link maxReconnectDelayMs}. */
  baseReconnectDelayMs?: number;
  maxReconnectDelayMs?: number;
  /** How long a client may take to show a QR code or become ready before it counts as a failed try. */
  startupTimeoutMs?: number;
  /**
   * After a logout, time given to the old client's own logout handling before it is destroyed (it
   * still drives its page for a moment).
   */
  logoutSettleMs?: number;
  /** Waits between tries; tests inject one that does not sleep. */
  wait?: (ms: number, signal: AbortSignal) => Promise<void>;
}

/** Disconnect reasons meaning the phone unlinked this device: the stored session is worthless. */
const LOGGED_OUT_REASONS = new Set(['LOGOUT', 'UNPAIRED', 'UNPAIRED_IDLE']);

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export class WhatsAppLink {
  private current: LinkStatus;
  private client: WhatsAppClient | undefined;
  /** Bumped whenever a client is given up, so late events of an old client are ignored. */
  private generation = 0;
  private failedTries = 0;
  private qr: string | undefined;
  /** A QR code was shown: the next login is a new link, with a new history cut-off. */
  private newLinkPending = false;
  private startupTimer: NodeJS.Timeout | undefined;
  private readonly stopping = new AbortController();
  private readonly readyWaiters = new Set<() => void>();
  private reconnecting: Promise<void> | undefined;

  constructor(private readonly options: WhatsAppLinkOptions) {
    this.current = { state: 'starting', since: options.clock.now().toISOString() };
  }

  get status(): LinkStatus {
    return this.current;
  }

  /** The QR code waiting to be scanned, if any. */
  get pendingQr(): string | undefined {
    return this.current.state === 'waiting-for-qr' ? this.qr : undefined;
  }

  /** The client, when it is ready to send. */
  get readyClient(): WhatsAppClient | undefined {
    return this.current.state === 'ready' ? this.client : undefined;
  }

  /** Starts the first client; on return it exists (or is known impossible), linking goes on in the background. */
  start(): void {
    void this.connect();
  }

  /**
   * Resolves with the client once it is ready, or undefined after `timeoutMs` or when the link stops.
   */
  whenReady(timeoutMs: number): Promise<WhatsAppClient | undefined> {
    if (this.readyClient || this.stopping.signal.aborted) return Promise.resolve(this.readyClient);
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.readyWaiters.delete(done);
        resolve(this.readyClient);
      };
      const timer = setTimeout(done, timeoutMs);
      timer.unref();
      this.readyWaiters.add(done);
    });
  }

  /** WhatsApp Web's own connection state (e.g. CONNECTED, TIMEOUT) while ready; undefined if it does not answer in time. */
  async connectionState(timeoutMs = 2_000): Promise<string | undefined> {
    const client = this.readyClient;
    if (!client) return undefined;
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<undefined>((resolve) => {
      timer = setTimeout(() => resolve(undefined), timeoutMs);
      timer.unref();
    });
    try {
      return (await Promise.race([client.getState().catch(() => undefined), late])) ?? undefined;
    } finally {
      clearTimeout(timer);
    }
  }

  /** Resolves once no reconnect is under way (the new client is started, or the link gave up). */
  async settled(): Promise<void> {
    while (this.reconnecting) await this.reconnecting;
  }

  /** Lets everything waiting for the link go (it became ready, or shutdown). */
  releaseWaiters(): void {
    for (const waiter of [...this.readyWaiters]) waiter();
  }

  /** Stops reconnecting and closes the browser. */
  async stop(): Promise<void> {
    if (this.stopping.signal.aborted) return;
    this.stopping.abort();
    this.generation += 1;
    this.clearStartupTimer();
    this.releaseWaiters();
    // Closing the browser first ends a start-up that hangs (WhatsApp Web loading without end).
    const client = this.client;
    this.client = undefined;
    await this.destroy(client);
    await this.settled();
    this.setState({ state: 'stopped' });
  }

  private setState(next: Omit<LinkStatus, 'since'>): void {
    const previous = this.current;
    this.current = { ...next, since: this.options.clock.now().toISOString() };
    if (next.state !== 'waiting-for-qr') this.qr = undefined;
    this.options.logger.info({ whatsapp: next.state, reason: next.reason, attempt: next.attempt }, 'whatsapp link state');
    if (next.state === 'ready') this.releaseWaiters();
    try {
      this.options.listener.stateChanged?.(this.current, previous);
    } catch (error) {
      this.options.logger.error({ err: error }, 'whatsapp state listener failed');
    }
  }

  /** Builds and starts a client. The client is created before the first await, so a missing browser is known at once. */
  private async connect(): Promise<void> {
    if (this.stopping.signal.aborted) return;
    const generation = ++this.generation;
    let client: WhatsAppClient;
    try {
      client = this.options.createClient(this.options.settings);
    } catch (error) {
      if (error instanceof ChromiumNotFoundError) {
        this.options.logger.error({ chromePath: error.chromePath }, 'whatsapp cannot start: Chromium not found');
        this.setState({ state: 'unavailable', reason: error.message });
        return;
      }
      return this.lost(generation, `could not create the WhatsApp client: ${describe(error)}`);
    }
    this.client = client;
    this.listen(client, generation);
    this.armStartupTimer(generation);
    try {
      await client.initialize();
    } catch (error) {
      await this.lost(generation, `WhatsApp Web did not start: ${describe(error)}`);
    }
  }

  private listen(client: WhatsAppClient, generation: number): void {
    const live = () => generation === this.generation && !this.stopping.signal.aborted;
    client.on('qr', (qr) => {
      if (!live()) return;
      this.clearStartupTimer();
      this.failedTries = 0;
      this.newLinkPending = true;
      this.qr = qr;
      if (this.current.state !== 'waiting-for-qr') this.setState({ state: 'waiting-for-qr' });
      try {
        this.options.listener.qr?.(qr);
      } catch (error) {
        this.options.logger.error({ err: error }, 'whatsapp QR listener failed');
      }
    });
    client.on('authenticated', () => {
      if (!live()) return;
      // A scan just linked the number: everything before this moment is history.
      if (this.newLinkPending || this.options.linkMoment.get() === undefined) this.options.linkMoment.set(this.options.clock.now());
      this.newLinkPending = false;
      this.setState({ state: 'authenticated' });
    });
    client.on('auth_failure', (message) => {
      if (!live()) return;
      // The stored session was refused: it is as good as logged out.
      void this.lost(generation, `the stored WhatsApp session was refused (${message})`, true);
    });
    client.on('ready', () => {
      if (!live()) return;
      this.clearStartupTimer();
      this.failedTries = 0;
      if (this.options.linkMoment.get() === undefined) this.options.linkMoment.set(this.options.clock.now());
      this.setState({ state: 'ready' });
    });
    client.on('change_state', (state) => {
      if (!live()) return;
      this.options.logger.info({ whatsappState: state }, 'whatsapp connection state');
    });
    client.on('disconnected', (reason) => {
      if (!live()) return;
      void this.lost(generation, String(reason), LOGGED_OUT_REASONS.has(String(reason)));
    });
    client.on('message', (message) => {
      if (!live()) return;
      this.options.listener.message?.(message);
    });
  }

  /** The client of `generation` is gone: replace it (after a logout, with a fresh session). */
  private lost(generation: number, reason: string, loggedOut = false): Promise<void> {
    if (generation !== this.generation || this.stopping.signal.aborted) return Promise.resolve();
    this.generation += 1;
    this.clearStartupTimer();
    const client = this.client;
    this.client = undefined;
    const task = (loggedOut ? this.startOver(client, reason) : this.retry(client, reason)).catch((error: unknown) => {
      this.options.logger.error({ err: error }, 'whatsapp reconnect failed');
      this.setState({ state: 'failed', reason: describe(error) });
    });
    this.reconnecting = task;
    void task.finally(() => {
      if (this.reconnecting === task) this.reconnecting = undefined;
    });
    return task;
  }

  private async retry(client: WhatsAppClient | undefined, reason: string): Promise<void> {
    this.failedTries += 1;
    const max = this.options.maxReconnectAttempts ?? 10;
    if (this.failedTries > max) {
      this.setState({ state: 'failed', reason: `${reason}; gave up after ${max} tries` });
      await this.destroy(client);
      return;
    }
    this.setState({ state: 'reconnecting', reason, attempt: this.failedTries });
    await this.destroy(client);
    const base = this.options.baseReconnectDelayMs ?? 2_000;
    const cap = this.options.maxReconnectDelayMs ?? 5 * 60_000;
    await (this.options.wait ?? waitOrAbort)(Math.min(cap, base * 2 ** (this.failedTries - 1)), this.stopping.signal);
    await this.connect();
  }

  private async startOver(client: WhatsAppClient | undefined, reason: string): Promise<void> {
    this.failedTries = 0;
    this.options.linkMoment.clear();
    this.newLinkPending = true;
    this.setState({ state: 'logged-out', reason });
    await (this.options.wait ?? waitOrAbort)(this.options.logoutSettleMs ?? 15_000, this.stopping.signal);
    await this.destroy(client);
    await this.clearSession();
    await this.connect();
  }

  /** Removes LocalAuth's stored session ("session", or "session-<id>") from the session directory. */
  private async clearSession(): Promise<void> {
    const dir = this.options.settings.sessionDir;
    const entries = await readdir(dir).catch(() => [] as string[]);
    for (const entry of entries) {
      if (entry === 'session' || entry.startsWith('session-')) {
        await rm(path.join(dir, entry), { recursive: true, force: true, maxRetries: 3 });
      }
    }
    this.options.logger.info('whatsapp session data cleared');
  }

  private async destroy(client: WhatsAppClient | undefined): Promise<void> {
    if (!client) return;
    try {
      await client.destroy();
    } catch (error) {
      this.options.logger.warn({ err: error }, 'whatsapp client did not close cleanly');
    }
  }

  private armStartupTimer(generation: number): void {
    this.clearStartupTimer();
    const ms = this.options.startupTimeoutMs ?? 3 * 60_000;
    this.startupTimer = setTimeout(() => void this.lost(generation, `WhatsApp Web did not load within ${Math.round(ms / 1000)} s`), ms);
    this.startupTimer.unref();
  }

  private clearStartupTimer(): void {
    if (this.startupTimer) clearTimeout(this.startupTimer);
    this.startupTimer = undefined;
  }
}
