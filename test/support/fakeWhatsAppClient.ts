/**
 * A stand-in for whatsapp-web.js: clients with the same events (qr, authenticated, auth_failure,
 * ready, message, disconnected, change_state) and methods (initialize, sendMessage, isRegisteredUser,
 * getState, destroy) as the library's Client, and received messages shaped like its Message. Like
 * LocalAuth, a linked session lives in `<sessionDir>/session`, so a restart needs no new scan.
 *
 * A {@link FakeWhatsApp} plays WhatsApp's side: the phone that scans or logs out, patients who write,
 * the connection that drops. Clients emit synchronously from initialize(), so after the adapter starts
 * a client its state is already known; nothing needs a sleep.
 */
import { EventEmitter } from 'node:events';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { ClientSettings, SendOptions, WhatsAppClient, WhatsAppMedia, WhatsAppMessage } from '../../src/channels/whatsapp/whatsAppClient.js';

/** One message the bot sent, as the fake recorded it. */
export interface SentMessage {
  chatId: string;
  /** The text, or the caption of a document. */
  text: string;
  document?: { mimetype: string; filename: string | null | undefined; bytes: Buffer };
  options: SendOptions | undefined;
  /** Which client sent it (1 = the first built). */
  client: number;
  /** The pacing clock's reading when it was sent, if the test gave one. */
  at?: number;
}

export interface FakeMessageFields {
  from: string;
  body?: string;
  type?: string;
  fromMe?: boolean;
  isStatus?: boolean;
  author?: string;
  /** Unix seconds; default: the fake's clock. */
  timestamp?: number;
  id?: string;
  /** Media returned by downloadMedia(); undefined models "WhatsApp no longer has it". */
  media?: WhatsAppMedia;
  hasMedia?: boolean;
  /** Size WhatsApp announces before the download. */
  size?: number;
  mimetype?: string;
  filename?: string;
  notifyName?: string;
}

/** "Patient" messages, shaped like whatsapp-web.js Message. */
export class FakeMessage implements WhatsAppMessage {
  id: { _serialized: string };
  from: string;
  author?: string;
  fromMe: boolean;
  timestamp: number;
  type: string;
  body: string;
  hasMedia: boolean;
  isStatus: boolean;
  _data: { notifyName?: string; size?: number; mimetype?: string; filename?: string };
  downloads = 0;
  private readonly media: WhatsAppMedia | undefined;

  constructor(fields: FakeMessageFields & { id: string; timestamp: number }) {
    this.id = { _serialized: fields.id };
    this.from = fields.from;
    if (fields.author) this.author = fields.author;
    this.fromMe = fields.fromMe ?? false;
    this.timestamp = fields.timestamp;
    this.type = fields.type ?? 'chat';
    this.body = fields.body ?? '';
    this.media = fields.media;
    this.hasMedia = fields.hasMedia ?? (fields.type !== undefined && fields.type !== 'chat' && fields.type !== 'vcard');
    this.isStatus = fields.isStatus ?? fields.from === 'status@broadcast';
    this._data = {
      ...(fields.notifyName ? { notifyName: fields.notifyName } : {}),
      ...(fields.size !== undefined ? { size: fields.size } : {}),
      ...(fields.mimetype ? { mimetype: fields.mimetype } : {}),
      ...(fields.filename ? { filename: fields.filename } : {}),
    };
  }

  async downloadMedia(): Promise<WhatsAppMedia | undefined> {
    this.downloads += 1;
    return this.hasMedia ? this.media : undefined;
  }
}

type ClientPhase = 'new' | 'waiting-for-qr' | 'ready' | 'destroyed';

/** A client as whatsapp-web.js builds one per browser. */
export class FakeWhatsAppClient extends EventEmitter implements WhatsAppClient {
  phase: ClientPhase = 'new';
  readonly number: number;
  private qrCount = 0;

  constructor(
    private readonly whatsapp: FakeWhatsApp,
    readonly settings: ClientSettings,
  ) {
    super();
    this.number = whatsapp.clients.length + 1;
    whatsapp.clients.push(this);
  }

  get sessionPath(): string {
    return path.join(this.settings.sessionDir, 'session');
  }

  async initialize(): Promise<void> {
    const failure = this.whatsapp.initializeFailures.shift();
    if (failure) throw failure;
    if (this.whatsapp.silent) return;
    if (existsSync(path.join(this.sessionPath, 'linked'))) {
      this.emit('authenticated');
      this.becomeReady();
    } else {
      this.phase = 'waiting-for-qr';
      this.rotateQr();
    }
  }

  /** WhatsApp Web shows the next QR code. */
  rotateQr(): void {
    this.qrCount += 1;
    this.emit('qr', `2@fake-qr-${this.number}-${this.qrCount},clinic-key,device-key`);
  }

  /** The clinic's phone scans the code on screen. */
  scan(): void {
    if (this.phase !== 'waiting-for-qr') throw new Error(`client ${this.number} shows no QR code (${this.phase})`);
    mkdirSync(this.sessionPath, { recursive: true });
    writeFileSync(path.join(this.sessionPath, 'linked'), 'yes');
    this.emit('authenticated');
    this.becomeReady();
  }

  private becomeReady(): void {
    this.phase = 'ready';
    this.emit('change_state', 'CONNECTED');
    this.emit('ready');
  }

  async sendMessage(chatId: string, content: string | { mimetype: string; data: string; filename?: string | null }, options?: SendOptions): Promise<unknown> {
    if (this.phase === 'destroyed') throw new Error('Protocol error (Runtime.callFunctionOn): Session closed. Most likely the page has been closed.');
    if (this.phase !== 'ready') throw new Error('Evaluation failed: TypeError: Cannot read properties of undefined (reading \'getChat\')');
    const failure = this.whatsapp.sendFailures.shift();
    if (failure) throw failure;
    if (this.whatsapp.frozenChats.has(chatId)) return this.whatsapp.stuck(chatId);
    if (this.whatsapp.notOnWhatsApp.has(chatId)) throw new Error('Evaluation failed: Error: No LID for user');
    const unopenable = this.whatsapp.unopenableChats.get(chatId) ?? 0;
    if (unopenable > 0) {
      this.whatsapp.unopenableChats.set(chatId, unopenable - 1);
      return null;
    }
    const at = this.whatsapp.paceClock?.();
    const record: SentMessage =
      typeof content === 'string'
        ? { chatId, text: content, options, client: this.number }
        : {
            chatId,
            text: options?.caption ?? '',
            document: { mimetype: content.mimetype, filename: content.filename, bytes: Buffer.from(content.data, 'base64') },
            options,
            client: this.number,
          };
    if (at !== undefined) record.at = at;
    this.whatsapp.sent.push(record);
    return { id: { _serialized: `true_${chatId}_SENT${this.whatsapp.sent.length}` }, fromMe: true };
  }

  /** As whatsapp-web.js's getNumberId: "@c.us" is appended to anything else, so only a number can be found. */
  async isRegisteredUser(chatId: string): Promise<boolean> {
    this.whatsapp.lookups.push(chatId);
    const wid = chatId.endsWith('@c.us') ? chatId : `${chatId}@c.us`;
    return /^\d+@c\.us$/.test(wid) && !this.whatsapp.notOnWhatsApp.has(wid);
  }

  async getState(): Promise<string | null> {
    return this.phase === 'ready' ? 'CONNECTED' : null;
  }

  async destroy(): Promise<void> {
    this.phase = 'destroyed';
  }

  /** The connection drops, as whatsapp-web.js reports it (it destroys its client itself). */
  disconnect(reason: string): void {
    this.phase = 'destroyed';
    this.emit('change_state', reason);
    this.emit('disconnected', reason);
  }
}

/** WhatsApp's side of the conversation, for tests. */
export class FakeWhatsApp {
  readonly clients: FakeWhatsAppClient[] = [];
  readonly sent: SentMessage[] = [];
  /** Errors the next sendMessage calls throw, in order. */
  readonly sendFailures: Error[] = [];
  /** Errors the next initialize calls throw, in order (the browser did not start). */
  readonly initializeFailures: Error[] = [];
  /** Numbers without a WhatsApp account: a send fails with "No LID for user", the lookup says no. */
  readonly notOnWhatsApp = new Set<string>();
  /** Per chat, how many next sends resolve null (whatsapp-web.js could not find or open the chat). */
  readonly unopenableChats = new Map<string, number>();
  /** Chats whose sends never settle: a frozen WhatsApp Web page. */
  readonly frozenChats = new Set<string>();
  /** Sends stuck on a frozen page, by chat. */
  readonly stuckSends: string[] = [];
  /** Addresses looked up with isRegisteredUser, in order. */
  readonly lookups: string[] = [];
  private stuckWatchers: (() => void)[] = [];
  /** When true, initialize() shows neither a QR code nor a login (a page that never loads). */
  silent = false;
  /** Read when a message is sent, to check pacing. */
  paceClock: (() => number) | undefined;
  private counter = 0;

  /** @param now WhatsApp's clock, which stamps received messages. */
  constructor(public now: () => Date) {}

  /** A send that never settles; resolves {@link whenSendStuck}. */
  stuck(chatId: string): Promise<never> {
    this.stuckSends.push(chatId);
    for (const watcher of this.stuckWatchers.splice(0)) watcher();
    return new Promise<never>(() => undefined);
  }

  /** Resolves once a send is stuck on a frozen page. */
  whenSendStuck(): Promise<void> {
    return this.stuckSends.length > 0 ? Promise.resolve() : new Promise((resolve) => this.stuckWatchers.push(resolve));
  }

  /** The adapter's client factory. */
  readonly createClient = (settings: ClientSettings): WhatsAppClient => new FakeWhatsAppClient(this, settings);

  /** The client built last. */
  get client(): FakeWhatsAppClient {
    const client = this.clients[this.clients.length - 1];
    if (!client) throw new Error('no WhatsApp client was built');
    return client;
  }

  /** A received message (not yet delivered). */
  message(fields: FakeMessageFields): FakeMessage {
    this.counter += 1;
    return new FakeMessage({
      ...fields,
      id: fields.id ?? `false_${fields.from}_3EB0${String(this.counter).padStart(6, '0')}`,
      timestamp: fields.timestamp ?? Math.floor(this.now().getTime() / 1000),
    });
  }

  /** Delivers a message to the current client, as WhatsApp does. */
  deliver(message: FakeMessage): FakeMessage {
    this.client.emit('message', message);
    return message;
  }

  /** A patient writes text. */
  say(from: string, body: string): FakeMessage {
    return this.deliver(this.message({ from, body }));
  }

  /** What the bot sent to one chat, in order. */
  sentTo(chatId: string): SentMessage[] {
    return this.sent.filter((message) => message.chatId === chatId);
  }
}
