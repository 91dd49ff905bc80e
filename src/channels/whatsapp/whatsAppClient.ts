/**
 * The part of whatsapp-web.js the adapter uses, as small interfaces, and the factory that builds the
 * real Client: LocalAuth in WHATSAPP_SESSION_DIR and the system Chromium with the flags a headless
 * server (often running as root, in a container) needs. Tests build a fake with the same shape.
 */
import { accessSync, constants, statSync } from 'node:fs';
import path from 'node:path';
import wwebjs from 'whatsapp-web.js';
import { ChromiumNotFoundError } from './errors.js';

/** Media as whatsapp-web.js hands it over: base64 bytes with their type. */
export interface WhatsAppMedia {
  mimetype: string;
  /** Base64 of the bytes. */
  data: string;
  filename?: string | null;
  filesize?: number | null;
}

/** The fields and methods of a received whatsapp-web.js Message the adapter reads. */
export interface WhatsAppMessage {
  id: { _serialized: string };
  /** The chat: "919876543210@c.us" (a person), "…@lid" (a person, number hidden), "…@g.us" (a group). */
  from: string;
  /** In groups, who wrote it. */
  author?: string;
  fromMe: boolean;
  /** Unix seconds, as WhatsApp stamped the message. */
  timestamp: number;
  /** whatsapp-web.js MessageTypes value: 'chat', 'image', 'document', 'ptt', 'audio', 'vcard', … */
  type: string;
  /** Text, or the caption of media. */
  body: string;
  hasMedia: boolean;
  isStatus: boolean;
  /** Resolves undefined when WhatsApp no longer has the media. */
  downloadMedia(): Promise<WhatsAppMedia | undefined>;
  /**
   * The raw message model every whatsapp-web.js Message carries (not in its typings): the sender's
   * push name and, for media, the size, type and file name announced before any download.
   */
  _data?: { notifyName?: string; size?: number; mimetype?: string; filename?: string };
}

/** Connection state names of WhatsApp Web (whatsapp-web.js WAState). */
export type WhatsAppState = string;

/** Why a client says it was disconnected: a WAState such as 'CONFLICT', 'UNPAIRED', or 'LOGOUT'. */
export type DisconnectReason = string;

/** Options for sending; documents go as files, not as photos. */
export interface SendOptions {
  caption?: string;
  sendMediaAsDocument?: boolean;
  /** whatsapp-web.js marks the chat read before sending unless told not to. */
  sendSeen?: boolean;
  linkPreview?: boolean;
}

/** The whatsapp-web.js Client, as far as the adapter uses it. */
export interface WhatsAppClient {
  on(event: 'qr', listener: (qr: string) => void): this;
  on(event: 'authenticated', listener: () => void): this;
  on(event: 'auth_failure', listener: (message: string) => void): this;
  on(event: 'ready', listener: () => void): this;
  on(event: 'message', listener: (message: WhatsAppMessage) => void): this;
  on(event: 'disconnected', listener: (reason: DisconnectReason) => void): this;
  on(event: 'change_state', listener: (state: WhatsAppState) => void): this;
  initialize(): Promise<void>;
  /** Resolves with the sent message, or null/undefined when the chat could not be found. */
  sendMessage(chatId: string, content: string | InstanceType<typeof wwebjs.MessageMedia>, options?: SendOptions): Promise<unknown>;
  isRegisteredUser(chatId: string): Promise<boolean>;
  getState(): Promise<WhatsAppState | null>;
  destroy(): Promise<void>;
}

/** What building a client needs. */
export interface ClientSettings {
  /** LocalAuth's directory (WHATSAPP_SESSION_DIR). */
  sessionDir: string;
  /** The Chromium executable (CHROME_PATH, or the system chromium). */
  chromePath: string;
}

/** Builds a fresh client; whatsapp-web.js clients are not reusable once destroyed. */
export type CreateWhatsAppClient = (settings: ClientSettings) => WhatsAppClient;

/** Debian's and Ubuntu's chromium package installs it here. */
export const DEFAULT_CHROME_PATH = '/usr/bin/chromium';

/**
 * Chromium flags for a headless server: no sandbox (it cannot start as root, and containers lack the
 * namespaces), /tmp instead of the often tiny /dev/shm, no GPU, and no background traffic (updates,
 * sync, first-run pages) that a server has no use for.
 */
export const CHROMIUM_SERVER_ARGS: readonly string[] = [
  '--no-sandbox',
  '--disable-setuid-sandbox',
  '--disable-dev-shm-usage',
  '--disable-gpu',
  '--no-first-run',
  '--no-default-browser-check',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-default-apps',
  '--disable-extensions',
  '--disable-sync',
  '--mute-audio',
];

/** The puppeteer launch options the adapter gives whatsapp-web.js (also launched as-is by a test). */
export function chromiumLaunchOptions(chromePath: string): { headless: true; executablePath: string; args: string[] } {
  return { headless: true, executablePath: chromePath, args: [...CHROMIUM_SERVER_ARGS] };
}

/** Throws {@link ChromiumNotFoundError} unless `chromePath` is an executable file. */
export function assertChromiumInstalled(chromePath: string): void {
  try {
    if (!statSync(chromePath).isFile()) throw new Error('not a file');
    accessSync(chromePath, constants.X_OK);
  } catch {
    throw new ChromiumNotFoundError(chromePath);
  }
}

/** The real whatsapp-web.js Client on the system Chromium. Never downloads a browser. */
export const createWebJsClient: CreateWhatsAppClient = ({ sessionDir, chromePath }) => {
  assertChromiumInstalled(chromePath);
  const client = new wwebjs.Client({
    authStrategy: new wwebjs.LocalAuth({ dataPath: sessionDir }),
    puppeteer: chromiumLaunchOptions(chromePath),
    // The cached WhatsApp Web page goes with the session, not into the working directory.
    webVersionCache: { type: 'local', path: path.join(sessionDir, '.wwebjs_cache') },
  });
  // The library's typings leave out Message._data, which every message carries at run time.
  return client as unknown as WhatsAppClient;
};
