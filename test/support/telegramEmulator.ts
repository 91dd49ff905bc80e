/**
 * A loopback Telegram Bot API server for tests: the real telegraf talks to it through its `apiRoot`
 * option (TELEGRAM_API_ROOT). It speaks the Bot API's HTTP protocol — /bot<token>/<method> with JSON,
 * form or multipart bodies (or a query string), answers {ok, result} or {ok: false, error_code,
 * description, parameters} — for the methods the service uses, keeps chats, messages and files like
 * Telegram does, and records every call.
 *
 * Tests play the users (inject updates: text, button presses, contacts, voice notes, documents,
 * photos), make Telegram misbehave (429 with retry_after, 5xx, a user who blocked the bot, a second
 * poller), and await what the bot does (`waitForCall`, `user.reply`) — nothing ever sleeps.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

// ---------------------------------------------------------------- types

export type Params = Record<string, unknown>;

/** A file part of a multipart request. */
export interface UploadedFile {
  fileName: string;
  mime: string;
  bytes: Buffer;
}

/** One request the bot made. */
export interface RecordedCall {
  /** Order of arrival, from 1. */
  seq: number;
  token: string;
  method: string;
  params: Params;
  files: Record<string, UploadedFile>;
  /** What the emulator answered (set when answered; a long poll is answered later). */
  status?: number;
  response?: BotApiResponse;
}

export type BotApiResponse =
  | { ok: true; result: unknown }
  | { ok: false; error_code: number; description: string; parameters?: { retry_after?: number; migrate_to_chat_id?: number } };

/** A failure a test asks for. */
export type Failure =
  | { kind: 'too-many-requests'; retryAfter: number }
  | { kind: 'server-error'; status?: number }
  /** The connection is cut without an answer (a network failure). */
  | { kind: 'network' }
  | { kind: 'custom'; status: number; description: string };

export interface BotIdentity {
  id: number;
  username: string;
  first_name: string;
}

export interface UserIdentity {
  id: number;
  first_name: string;
  last_name?: string;
  username?: string;
}

/** A message as the emulator stores it (sent by the bot or by a user). */
export interface StoredMessage {
  message_id: number;
  from: { id: number; is_bot: boolean; first_name: string; username?: string };
  chat: { id: number; type: 'private'; first_name: string };
  date: number;
  text?: string;
  caption?: string;
  document?: { file_id: string; file_unique_id: string; file_name?: string; mime_type?: string; file_size?: number };
  reply_markup?: InlineKeyboard;
  /** Not part of the Bot API: the reply keyboard the bot attached (request_contact buttons). */
  replyKeyboard?: unknown;
  /** Not part of the Bot API: true once a user message, false for the bot's. */
  edited?: boolean;
}

export interface InlineButton {
  text: string;
  callback_data?: string;
  url?: string;
}
export interface InlineKeyboard {
  inline_keyboard: InlineButton[][];
}

/** How a second getUpdates for the same token is treated while one is waiting. */
export type ConflictPolicy =
  /** Telegram's behaviour: the waiting request is answered 409 and the new one takes its place. */
  | 'terminate-older'
  /** The newcomer is answered 409 at once. */
  | 'reject-newer';

interface StoredFile {
  file_id: string;
  file_unique_id: string;
  file_path: string;
  bytes: Buffer;
}

interface Waiter {
  res: ServerResponse;
  call: RecordedCall;
  offset: number;
  limit: number;
  timer: NodeJS.Timeout;
}

interface BotState {
  identity: BotIdentity;
  /** Updates not yet confirmed (offset not past them). */
  queue: Record<string, unknown>[];
  nextUpdateId: number;
  waiter: Waiter | undefined;
  webhook: { url: string; secret?: string; allowedUpdates?: string[] } | undefined;
  commands: Map<string, { command: string; description: string }[]>;
  /** Messages per chat id. */
  chats: Map<number, StoredMessage[]>;
  nextMessageId: Map<number, number>;
  /** Callback query ids not yet answered. */
  openQueries: Set<string>;
  /** Webhook deliveries in flight (one at a time, in order). */
  delivering: Promise<void> | undefined;
}

/** Telegram's limits. */
const TEXT_MAX = 4096;
const CAPTION_MAX = 1024;
const CALLBACK_DATA_MAX_BYTES = 64;

class BotApiError extends Error {
  constructor(
    readonly status: number,
    readonly description: string,
    readonly parameters?: { retry_after?: number },
  ) {
    super(description);
  }
}

const badRequest = (description: string) => new BotApiError(400, `Bad Request: ${description}`);

// ---------------------------------------------------------------- body parsing

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function parseMultipart(body: Buffer, boundary: string): { fields: Params; files: Record<string, UploadedFile> } {
  const fields: Params = {};
  const files: Record<string, UploadedFile> = {};
  const delimiter = Buffer.from(`--${boundary}`);
  let start = body.indexOf(delimiter);
  while (start !== -1) {
    const next = body.indexOf(delimiter, start + delimiter.length);
    if (next === -1) break;
    // Part: CRLF headers CRLF CRLF content CRLF
    const part = body.subarray(start + delimiter.length + 2, next - 2);
    const headerEnd = part.indexOf('\r\n\r\n');
    if (headerEnd !== -1) {
      const headers = part.subarray(0, headerEnd).toString('utf8');
      const content = part.subarray(headerEnd + 4);
      const name = /name="([^"]*)"/i.exec(headers)?.[1];
      const fileName = /filename="([^"]*)"/i.exec(headers)?.[1];
      const mime = /content-type:\s*([^\r\n]+)/i.exec(headers)?.[1]?.trim();
      if (name !== undefined) {
        if (fileName !== undefined) files[name] = { fileName, mime: mime ?? 'application/octet-stream', bytes: Buffer.from(content) };
        else fields[name] = content.toString('utf8');
      }
    }
    start = next;
  }
  return { fields, files };
}

/** Form and multipart values are strings; the Bot API reads JSON-serialised objects and numbers from them. */
function normaliseFormValue(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  const trimmed = value.trim();
  if (/^[[{]/.test(trimmed)) {
    try {
      return JSON.parse(trimmed) as unknown;
    } catch {
      return value;
    }
  }
  if (/^-?\d+$/.test(trimmed) && Number.isSafeInteger(Number(trimmed))) return Number(trimmed);
  if (trimmed === 'true' || trimmed === 'false') return trimmed === 'true';
  return value;
}

async function parseRequest(req: IncomingMessage, url: URL): Promise<{ params: Params; files: Record<string, UploadedFile> }> {
  const params: Params = {};
  for (const [key, value] of url.searchParams) params[key] = normaliseFormValue(value);
  const body = await readBody(req);
  const type = req.headers['content-type'] ?? '';
  let files: Record<string, UploadedFile> = {};
  if (body.length > 0) {
    if (type.startsWith('application/json')) {
      Object.assign(params, JSON.parse(body.toString('utf8')) as Params);
    } else if (type.startsWith('application/x-www-form-urlencoded')) {
      for (const [key, value] of new URLSearchParams(body.toString('utf8'))) params[key] = normaliseFormValue(value);
    } else if (type.startsWith('multipart/form-data')) {
      const boundary = /boundary=(?:"([^"]+)"|([^;]+))/i.exec(type);
      const parsed = parseMultipart(body, (boundary?.[1] ?? boundary?.[2] ?? '').trim());
      for (const [key, value] of Object.entries(parsed.fields)) params[key] = normaliseFormValue(value);
      files = parsed.files;
    }
  }
  return { params, files };
}

// ---------------------------------------------------------------- the emulator

export interface EmulatorOptions {
  conflictPolicy?: ConflictPolicy;
}

/** A predicate over recorded calls. */
export type CallMatcher = (call: RecordedCall) => boolean;

export class TelegramEmulator {
  readonly calls: RecordedCall[] = [];
  /** http://127.0.0.1:PORT — give it to the service as TELEGRAM_API_ROOT. */
  apiRoot = '';
  conflictPolicy: ConflictPolicy;

  private readonly bots = new Map<string, BotState>();
  private readonly files = new Map<string, StoredFile>();
  private readonly failures: { method: string; failure: Failure; chatId?: number }[] = [];
  private readonly blocked = new Set<number>();
  private readonly listeners = new Set<(call: RecordedCall) => void>();
  private readonly server: Server;
  private refusingSends: Failure | undefined;
  private downloadGate: { gate: Promise<void>; arrived: () => void } | undefined;
  private seq = 0;
  private nextBotId = 7_000_000_001;

  private constructor(options: EmulatorOptions) {
    this.conflictPolicy = options.conflictPolicy ?? 'terminate-older';
    this.server = createServer((req, res) => {
      this.route(req, res).catch((error: unknown) => {
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ ok: false, error_code: 500, description: `Internal Server Error: ${String(error)}` }));
      });
    });
  }

  static async start(options: EmulatorOptions = {}): Promise<TelegramEmulator> {
    const emulator = new TelegramEmulator(options);
    await new Promise<void>((resolve) => emulator.server.listen(0, '127.0.0.1', resolve));
    emulator.apiRoot = `http://127.0.0.1:${(emulator.server.address() as AddressInfo).port}`;
    return emulator;
  }

  /** Registers a bot; calls with any other token get 401 Unauthorized. Returns its token. */
  addBot(username = 'clinic_test_bot', token = `${this.nextBotId}:${randomBytes(18).toString('base64url')}`): string {
    const id = Number(token.split(':')[0]) || this.nextBotId;
    this.nextBotId += 1;
    this.bots.set(token, {
      identity: { id, username, first_name: username.replace(/_bot$/i, '').replace(/_/g, ' ') },
      queue: [],
      nextUpdateId: 100_001,
      waiter: undefined,
      webhook: undefined,
      commands: new Map(),
      chats: new Map(),
      nextMessageId: new Map(),
      openQueries: new Set(),
      delivering: undefined,
    });
    return token;
  }

  async close(): Promise<void> {
    for (const bot of this.bots.values()) {
      if (bot.waiter) {
        clearTimeout(bot.waiter.timer);
        bot.waiter.res.destroy();
        bot.waiter = undefined;
      }
    }
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  // ------------------------------------------------------------ what tests control

  /** The next `times` calls of `method` (optionally to one chat) fail as described. */
  failNext(method: string, failure: Failure, times = 1, chatId?: number): void {
    for (let i = 0; i < times; i += 1) this.failures.push({ method, failure, ...(chatId !== undefined ? { chatId } : {}) });
  }

  /** Until called with undefined, every send (sendMessage, sendDocument) fails like this. */
  refuseSends(failure: Failure | undefined): void {
    this.refusingSends = failure;
  }

  /** The user blocked the bot: sends to them get 403 "Forbidden: bot was blocked by the user". */
  block(userId: number): void {
    this.blocked.add(userId);
  }

  /** Puts a file on the "Telegram servers" as if a user had uploaded it; returns its file_id. */
  storeFile(bytes: Buffer, extension: string): { file_id: string; file_unique_id: string; file_size: number } {
    const file_unique_id = randomBytes(6).toString('base64url');
    const file_id = `F${randomBytes(12).toString('base64url')}`;
    this.files.set(file_id, { file_id, file_unique_id, file_path: `documents/file_${this.files.size}.${extension}`, bytes });
    return { file_id, file_unique_id, file_size: bytes.length };
  }

  /** Queues an update for a bot (delivered by getUpdates, or by webhook when one is set). */
  injectUpdate(token: string, update: Record<string, unknown>): number {
    const bot = this.bot(token);
    const update_id = bot.nextUpdateId++;
    bot.queue.push({ update_id, ...update });
    this.flush(bot);
    return update_id;
  }

  /** Queues an update exactly as given (same update_id), e.g. to deliver one twice. */
  redeliver(token: string, update: Record<string, unknown>): void {
    const bot = this.bot(token);
    bot.queue.push(update);
    this.flush(bot);
  }

  /** Updates waiting for the bot (not yet confirmed). */
  pendingUpdates(token: string): Record<string, unknown>[] {
    return [...this.bot(token).queue];
  }

  webhookOf(token: string): { url: string; secret?: string } | undefined {
    return this.bot(token).webhook;
  }

  commandsOf(token: string, scope = 'default'): { command: string; description: string }[] | undefined {
    return this.bot(token).commands.get(scope);
  }

  identityOf(token: string): BotIdentity {
    return this.bot(token).identity;
  }

  /** Messages of a chat, oldest first (the bot's and the user's). */
  chat(token: string, chatId: number): StoredMessage[] {
    return this.bot(token).chats.get(chatId) ?? [];
  }

  /** Makes a chat known, as if the user had pressed Start earlier (the bot may then write to them). */
  openChat(token: string, userId: number): void {
    const bot = this.bot(token);
    if (!bot.chats.has(userId)) bot.chats.set(userId, []);
  }

  /** A user of a bot, for conversation tests. */
  user(token: string, identity: UserIdentity): TelegramUser {
    return new TelegramUser(this, token, identity);
  }

  /** Calls recorded so far, optionally of one method. */
  callsOf(method?: string, token?: string): RecordedCall[] {
    return this.calls.filter((c) => (method === undefined || c.method === method) && (token === undefined || c.token === token));
  }

  /** Successful sends to a chat (sendMessage and sendDocument), oldest first. */
  delivered(chatId: number, token?: string): RecordedCall[] {
    return this.calls.filter(
      (c) => (c.method === 'sendMessage' || c.method === 'sendDocument') && c.response?.ok === true && Number(c.params.chat_id) === chatId && (token === undefined || c.token === token),
    );
  }

  /**
   * Resolves with the first answered call of `method` matching `predicate` whose seq is above
   * `afterSeq` (default: any, including calls already made). Rejects after `timeoutMs` with what was
   * seen, so a failing test says why instead of hanging.
   */
  waitForCall(method: string, predicate: CallMatcher = () => true, options: { afterSeq?: number; timeoutMs?: number } = {}): Promise<RecordedCall> {
    return this.waitFor((call) => call.method === method && predicate(call), { ...options, what: `a ${method} call` });
  }

  /** Like {@link waitForCall} for any answered call matching `predicate`. */
  waitFor(predicate: CallMatcher, options: { afterSeq?: number; timeoutMs?: number; what?: string; arrived?: boolean } = {}): Promise<RecordedCall> {
    const after = options.afterSeq ?? 0;
    const timeoutMs = options.timeoutMs ?? 5000;
    const matches = (call: RecordedCall) => call.seq > after && (options.arrived || call.status !== undefined) && predicate(call);
    const found = this.calls.find(matches);
    if (found) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const listener = (call: RecordedCall) => {
        if (!matches(call)) return;
        cleanup();
        resolve(call);
      };
      const timer = setTimeout(() => {
        cleanup();
        const recent = this.calls.slice(-15).map((c) => `${c.seq} ${c.method} ${c.status} ${JSON.stringify(c.params).slice(0, 160)}`);
        reject(new Error(`No ${options.what ?? 'matching call'} within ${timeoutMs} ms. Recent calls:\n${recent.join('\n')}`));
      }, timeoutMs);
      const cleanup = () => {
        clearTimeout(timer);
        this.listeners.delete(listener);
      };
      this.listeners.add(listener);
    });
  }

  /**
   * Calls `listener` for every call as it arrives (before it is answered) and again once answered,
   * synchronously; returns a function that stops it. For tests that act at an exact point of the
   * bot's traffic (e.g. kill the bot's process as its Nth request arrives).
   */
  onCall(listener: (call: RecordedCall) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Resolves once a getUpdates of this bot is waiting (arrived, not yet answered) after `afterSeq`. */
  waitForPoll(token: string, afterSeq = 0, timeoutMs = 5000): Promise<RecordedCall> {
    return this.waitFor((c) => c.method === 'getUpdates' && c.token === token && c.status === undefined, { afterSeq, timeoutMs, arrived: true, what: 'a waiting getUpdates' });
  }

  /** Highest seq so far: pass as `afterSeq` to wait only for later calls. */
  get lastSeq(): number {
    return this.seq;
  }

  // ------------------------------------------------------------ HTTP

  private bot(token: string): BotState {
    const bot = this.bots.get(token);
    if (!bot) throw new Error(`unknown bot token ${token.slice(0, 12)}…`);
    return bot;
  }

  private async route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const file = /^\/file\/bot([^/]+)\/(.+)$/.exec(url.pathname);
    if (file) return this.download(decodeURIComponent(file[1]!), decodeURIComponent(file[2]!), res);
    const api = /^\/bot([^/]+)\/([A-Za-z]+)$/.exec(url.pathname);
    if (!api) return this.answer(res, undefined, 404, { ok: false, error_code: 404, description: 'Not Found' });
    const token = decodeURIComponent(api[1]!);
    const method = api[2]!;
    const { params, files } = await parseRequest(req, url);
    delete params.method; // telegraf repeats the method in multipart bodies
    const call: RecordedCall = { seq: ++this.seq, token, method, params, files };
    this.calls.push(call);
    this.notify(call);

    const bot = this.bots.get(token);
    if (!bot) return this.answer(res, call, 401, { ok: false, error_code: 401, description: 'Unauthorized' });

    const failure = this.takeFailure(method, params);
    if (failure) return this.fail(res, call, failure);

    try {
      if (method === 'getUpdates') return this.getUpdates(bot, call, res);
      const result = this.perform(bot, method, params, files);
      this.answer(res, call, 200, { ok: true, result });
    } catch (error) {
      if (!(error instanceof BotApiError)) throw error;
      this.answer(res, call, error.status, {
        ok: false,
        error_code: error.status,
        description: error.description,
        ...(error.parameters ? { parameters: error.parameters } : {}),
      });
    }
  }

  private takeFailure(method: string, params: Params): Failure | undefined {
    if (this.refusingSends && (method === 'sendMessage' || method === 'sendDocument')) return this.refusingSends;
    const index = this.failures.findIndex((f) => f.method === method && (f.chatId === undefined || f.chatId === Number(params.chat_id)));
    if (index === -1) return undefined;
    return this.failures.splice(index, 1)[0]!.failure;
  }

  private fail(res: ServerResponse, call: RecordedCall, failure: Failure): void {
    switch (failure.kind) {
      case 'network':
        call.status = 0;
        this.notify(call);
        res.socket?.destroy();
        return;
      case 'too-many-requests':
        return this.answer(res, call, 429, {
          ok: false,
          error_code: 429,
          description: `Too Many Requests: retry after ${failure.retryAfter}`,
          parameters: { retry_after: failure.retryAfter },
        });
      case 'server-error':
        return this.answer(res, call, failure.status ?? 502, { ok: false, error_code: failure.status ?? 502, description: 'Bad Gateway' });
      case 'custom':
        return this.answer(res, call, failure.status, { ok: false, error_code: failure.status, description: failure.description });
    }
  }

  private answer(res: ServerResponse, call: RecordedCall | undefined, status: number, body: BotApiResponse): void {
    if (call) {
      call.status = status;
      call.response = body;
    }
    if (!res.destroyed && !res.writableEnded) {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    }
    if (call) this.notify(call);
  }

  private notify(call: RecordedCall): void {
    for (const listener of [...this.listeners]) listener(call);
  }

  /**
   * File downloads wait until the returned function is called (a slow file server). Resolves the
   * second promise as the first held download arrives.
   */
  holdDownloads(): { release: () => void; held: Promise<void> } {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let arrived!: () => void;
    const held = new Promise<void>((resolve) => (arrived = resolve));
    this.downloadGate = { gate, arrived };
    return {
      release: () => {
        this.downloadGate = undefined;
        release();
      },
      held,
    };
  }

  private async download(token: string, filePath: string, res: ServerResponse): Promise<void> {
    if (this.downloadGate) {
      this.downloadGate.arrived();
      await this.downloadGate.gate;
    }
    const known = this.bots.has(token) ? [...this.files.values()].find((f) => f.file_path === filePath) : undefined;
    if (!known) {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ ok: false, error_code: 404, description: 'Not Found' }));
      return;
    }
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': known.bytes.length });
    res.end(known.bytes);
  }

  // ------------------------------------------------------------ getUpdates and webhooks

  private getUpdates(bot: BotState, call: RecordedCall, res: ServerResponse): void {
    if (bot.webhook) {
      throw new BotApiError(409, "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first");
    }
    const offset = Number(call.params.offset ?? 0);
    const limit = Math.min(100, Math.max(1, Number(call.params.limit ?? 100)));
    const timeout = Math.max(0, Number(call.params.timeout ?? 0));
    this.confirm(bot, offset);

    if (bot.waiter) {
      const conflict = { ok: false as const, error_code: 409, description: 'Conflict: terminated by other getUpdates request; make sure that only one bot instance is running' };
      if (this.conflictPolicy === 'reject-newer') return this.answer(res, call, 409, conflict);
      const older = bot.waiter;
      clearTimeout(older.timer);
      bot.waiter = undefined;
      this.answer(older.res, older.call, 409, conflict);
    }
    const ready = this.selectUpdates(bot, offset, limit);
    if (ready.length > 0 || timeout === 0) return this.answer(res, call, 200, { ok: true, result: ready });

    const waiter: Waiter = {
      res,
      call,
      offset,
      limit,
      timer: setTimeout(() => {
        if (bot.waiter !== waiter) return;
        bot.waiter = undefined;
        this.answer(res, call, 200, { ok: true, result: [] });
      }, timeout * 1000),
    };
    bot.waiter = waiter;
    // The bot gave up on the request (stop, abort): forget it.
    res.on('close', () => {
      if (bot.waiter === waiter) {
        clearTimeout(waiter.timer);
        bot.waiter = undefined;
      }
    });
  }

  private confirm(bot: BotState, offset: number): void {
    if (offset > 0) bot.queue = bot.queue.filter((u) => Number(u.update_id) >= offset);
    else if (offset < 0) bot.queue = bot.queue.slice(offset);
  }

  private selectUpdates(bot: BotState, offset: number, limit: number): Record<string, unknown>[] {
    return bot.queue.filter((u) => offset <= 0 || Number(u.update_id) >= offset).slice(0, limit);
  }

  /** Answers a waiting getUpdates, or pushes to the webhook, once updates are queued. */
  private flush(bot: BotState): void {
    if (bot.webhook) {
      bot.delivering ??= this.deliverToWebhook(bot).finally(() => (bot.delivering = undefined));
      return;
    }
    const waiter = bot.waiter;
    if (!waiter) return;
    const ready = this.selectUpdates(bot, waiter.offset, waiter.limit);
    if (ready.length === 0) return;
    clearTimeout(waiter.timer);
    bot.waiter = undefined;
    this.answer(waiter.res, waiter.call, 200, { ok: true, result: ready });
  }

  /** POSTs queued updates one at a time, like Telegram; an update stays queued until answered 2xx. */
  private async deliverToWebhook(bot: BotState): Promise<void> {
    while (bot.webhook && bot.queue.length > 0) {
      const update = bot.queue[0]!;
      const { url, secret } = bot.webhook;
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(secret ? { 'x-telegram-bot-api-secret-token': secret } : {}) },
        body: JSON.stringify(update),
      }).catch(() => undefined);
      await response?.arrayBuffer().catch(() => undefined);
      if (!response || response.status < 200 || response.status >= 300) return; // retried at the next flush
      bot.queue.shift();
    }
  }

  // ------------------------------------------------------------ methods

  private perform(bot: BotState, method: string, p: Params, files: Record<string, UploadedFile>): unknown {
    switch (method) {
      case 'getMe':
        return { id: bot.identity.id, is_bot: true, first_name: bot.identity.first_name, username: bot.identity.username, can_join_groups: true, can_read_all_group_messages: false, supports_inline_queries: false };
      case 'setWebhook': {
        const url = stringParam(p, 'url');
        if (url === '') {
          bot.webhook = undefined;
          return true;
        }
        if (!/^https?:\/\//.test(url)) throw badRequest('bad webhook: An HTTPS URL must be provided for webhook');
        const secret = p.secret_token === undefined ? undefined : String(p.secret_token);
        if (secret !== undefined && !/^[A-Za-z0-9_-]{1,256}$/.test(secret)) throw badRequest('secret token contains unallowed characters');
        if (p.drop_pending_updates === true) bot.queue = [];
        if (bot.waiter) {
          clearTimeout(bot.waiter.timer);
          this.answer(bot.waiter.res, bot.waiter.call, 409, { ok: false, error_code: 409, description: 'Conflict: terminated by setWebhook request' });
          bot.waiter = undefined;
        }
        bot.webhook = { url, ...(secret ? { secret } : {}), ...(Array.isArray(p.allowed_updates) ? { allowedUpdates: p.allowed_updates as string[] } : {}) };
        this.flush(bot);
        return true;
      }
      case 'deleteWebhook':
        bot.webhook = undefined;
        if (p.drop_pending_updates === true) bot.queue = [];
        return true;
      case 'getWebhookInfo':
        return { url: bot.webhook?.url ?? '', has_custom_certificate: false, pending_update_count: bot.queue.length };
      case 'setMyCommands':
        return this.setMyCommands(bot, p);
      case 'getMyCommands':
        return bot.commands.get(scopeKey(p.scope)) ?? [];
      case 'deleteMyCommands':
        bot.commands.delete(scopeKey(p.scope));
        return true;
      case 'sendChatAction':
        this.reachableChat(bot, p);
        return true;
      case 'sendMessage':
        return this.sendMessage(bot, p);
      case 'sendDocument':
        return this.sendDocument(bot, p, files);
      case 'editMessageText':
        return this.editMessageText(bot, p);
      case 'editMessageReplyMarkup':
        return this.editMessageReplyMarkup(bot, p);
      case 'deleteMessage': {
        const chatId = this.knownChat(bot, p.chat_id);
        const messages = bot.chats.get(chatId)!;
        const index = messages.findIndex((m) => m.message_id === Number(p.message_id));
        if (index === -1) throw badRequest('message to delete not found');
        messages.splice(index, 1);
        return true;
      }
      case 'answerCallbackQuery': {
        const id = stringParam(p, 'callback_query_id');
        if (!bot.openQueries.delete(id)) throw badRequest('query is too old and response timeout expired or query ID is invalid');
        if (p.text !== undefined && String(p.text).length > 200) throw badRequest('MESSAGE_TOO_LONG');
        return true;
      }
      case 'getFile': {
        const file = this.files.get(stringParam(p, 'file_id'));
        if (!file) throw badRequest('invalid file_id');
        return { file_id: file.file_id, file_unique_id: file.file_unique_id, file_size: file.bytes.length, file_path: file.file_path };
      }
      default:
        throw new BotApiError(404, 'Not Found');
    }
  }

  private setMyCommands(bot: BotState, p: Params): true {
    const commands = p.commands;
    if (!Array.isArray(commands)) throw badRequest('field "commands" must be an Array');
    if (commands.length > 100) throw badRequest('too many commands');
    for (const command of commands as { command?: unknown; description?: unknown }[]) {
      if (typeof command.command !== 'string' || !/^[a-z0-9_]{1,32}$/.test(command.command)) throw badRequest('BOT_COMMAND_INVALID');
      if (typeof command.description !== 'string' || command.description.length < 1 || command.description.length > 256) {
        throw badRequest('BOT_COMMAND_DESCRIPTION_INVALID');
      }
    }
    const scope = p.scope as { type?: string; chat_id?: unknown } | undefined;
    if (scope?.type === 'chat') this.knownChat(bot, scope.chat_id);
    bot.commands.set(scopeKey(scope), commands as { command: string; description: string }[]);
    return true;
  }

  /** A chat the bot may write to: known (the user wrote first) and not blocked. */
  private reachableChat(bot: BotState, p: Params): number {
    const chatId = this.knownChat(bot, p.chat_id);
    if (this.blocked.has(chatId)) throw new BotApiError(403, 'Forbidden: bot was blocked by the user');
    return chatId;
  }

  private knownChat(bot: BotState, raw: unknown): number {
    const chatId = Number(raw);
    if (!Number.isSafeInteger(chatId) || !bot.chats.has(chatId)) throw badRequest('chat not found');
    return chatId;
  }

  private checkKeyboard(markup: unknown): { inline?: InlineKeyboard; reply?: unknown } {
    if (markup === undefined) return {};
    if (typeof markup !== 'object' || markup === null) throw badRequest("can't parse reply keyboard markup JSON object");
    if ('inline_keyboard' in markup) {
      const rows = (markup as InlineKeyboard).inline_keyboard;
      if (!Array.isArray(rows) || rows.some((row) => !Array.isArray(row))) throw badRequest('field "inline_keyboard" of the InlineKeyboardMarkup must be an Array of Arrays');
      for (const button of rows.flat()) {
        if (typeof button.text !== 'string' || button.text === '') throw badRequest('text buttons are unallowed in the inline keyboard');
        if (button.callback_data !== undefined) {
          const bytes = Buffer.byteLength(String(button.callback_data), 'utf8');
          if (bytes < 1 || bytes > CALLBACK_DATA_MAX_BYTES) throw badRequest('BUTTON_DATA_INVALID');
        } else if (button.url !== undefined) {
          if (!/^(https?|tg):\/\//.test(button.url)) throw badRequest('BUTTON_URL_INVALID');
        } else {
          throw badRequest('text buttons are unallowed in the inline keyboard');
        }
      }
      return { inline: markup as InlineKeyboard };
    }
    if ('keyboard' in markup || 'remove_keyboard' in markup || 'force_reply' in markup) return { reply: markup };
    throw badRequest("can't parse reply keyboard markup JSON object");
  }

  private checkParseMode(text: string, parseMode: unknown): void {
    if (parseMode === undefined) return;
    if (parseMode !== 'HTML') return; // MarkdownV2 is not used by the service
    const allowed = /^\/?(b|strong|i|em|u|ins|s|strike|del|span|tg-spoiler|a|code|pre|blockquote|tg-emoji)\b/i;
    for (const match of text.matchAll(/<([^>]*)>?/g)) {
      if (!match[0].endsWith('>') || !allowed.test(match[1]!)) throw badRequest(`can't parse entities: Unsupported start tag "${match[1]!.split(/\s/)[0]}" at byte offset ${match.index}`);
    }
    for (const match of text.matchAll(/&([^;\s]*);?/g)) {
      if (!/^(lt|gt|amp|quot|#\d+|#x[0-9a-f]+)$/i.test(match[1]!) || !match[0].endsWith(';')) {
        throw badRequest(`can't parse entities: Character entity expected at byte offset ${match.index}`);
      }
    }
  }

  private store(bot: BotState, chatId: number, message: Omit<StoredMessage, 'message_id' | 'from' | 'chat' | 'date'>): StoredMessage {
    const id = bot.nextMessageId.get(chatId) ?? 1;
    bot.nextMessageId.set(chatId, id + 1);
    const first = bot.chats.get(chatId)?.find((m) => !m.from.is_bot)?.from.first_name ?? 'User';
    const stored: StoredMessage = {
      message_id: id,
      from: { id: bot.identity.id, is_bot: true, first_name: bot.identity.first_name, username: bot.identity.username },
      chat: { id: chatId, type: 'private', first_name: first },
      date: Math.floor(Date.now() / 1000),
      ...message,
    };
    bot.chats.get(chatId)!.push(stored);
    return stored;
  }

  private sendMessage(bot: BotState, p: Params): StoredMessage {
    const chatId = this.reachableChat(bot, p);
    const text = p.text === undefined ? '' : String(p.text);
    if (text.trim() === '') throw badRequest('message text is empty');
    if (text.length > TEXT_MAX) throw badRequest('message is too long');
    this.checkParseMode(text, p.parse_mode);
    const { inline, reply } = this.checkKeyboard(p.reply_markup);
    return this.store(bot, chatId, { text, ...(inline ? { reply_markup: inline } : {}), ...(reply ? { replyKeyboard: reply } : {}) });
  }

  private sendDocument(bot: BotState, p: Params, files: Record<string, UploadedFile>): StoredMessage {
    const chatId = this.reachableChat(bot, p);
    const upload = files.document;
    if (!upload && typeof p.document !== 'string') throw badRequest('there is no document in the request');
    const caption = p.caption === undefined ? undefined : String(p.caption);
    if (caption !== undefined && caption.length > CAPTION_MAX) throw badRequest('message caption is too long');
    const { inline } = this.checkKeyboard(p.reply_markup);
    let document: StoredMessage['document'];
    if (upload) {
      const stored = this.storeFile(upload.bytes, upload.fileName.split('.').pop() ?? 'dat');
      document = { file_id: stored.file_id, file_unique_id: stored.file_unique_id, file_name: upload.fileName, mime_type: upload.mime, file_size: stored.file_size };
    } else {
      const known = this.files.get(String(p.document));
      if (!known) throw badRequest('wrong file identifier/HTTP URL specified');
      document = { file_id: known.file_id, file_unique_id: known.file_unique_id, file_size: known.bytes.length };
    }
    return this.store(bot, chatId, { document, ...(caption ? { caption } : {}), ...(inline ? { reply_markup: inline } : {}) });
  }

  private findMessage(bot: BotState, p: Params): StoredMessage {
    if (p.inline_message_id !== undefined) throw badRequest('inline messages are not supported by this emulator');
    const chatId = this.knownChat(bot, p.chat_id);
    const message = bot.chats.get(chatId)!.find((m) => m.message_id === Number(p.message_id));
    if (!message) throw badRequest('message to edit not found');
    if (!message.from.is_bot) throw badRequest("message can't be edited");
    return message;
  }

  private editMessageText(bot: BotState, p: Params): StoredMessage {
    const message = this.findMessage(bot, p);
    const text = p.text === undefined ? '' : String(p.text);
    if (text.trim() === '') throw badRequest('message text is empty');
    if (text.length > TEXT_MAX) throw badRequest('MESSAGE_TOO_LONG');
    this.checkParseMode(text, p.parse_mode);
    const { inline } = this.checkKeyboard(p.reply_markup);
    if (message.text === text && JSON.stringify(message.reply_markup) === JSON.stringify(inline)) {
      throw badRequest('message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message');
    }
    message.text = text;
    // Telegram drops the inline keyboard of a message edited without reply_markup.
    if (inline) message.reply_markup = inline;
    else delete message.reply_markup;
    message.edited = true;
    return message;
  }

  private editMessageReplyMarkup(bot: BotState, p: Params): StoredMessage {
    const message = this.findMessage(bot, p);
    const { inline } = this.checkKeyboard(p.reply_markup);
    const empty = !inline || inline.inline_keyboard.flat().length === 0;
    if (empty && !message.reply_markup) {
      throw badRequest('message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message');
    }
    if (empty) delete message.reply_markup;
    else message.reply_markup = inline;
    message.edited = true;
    return message;
  }

  // ------------------------------------------------------------ used by TelegramUser

  /** Records a message a user sent (so the chat exists and its ids advance). */
  userMessage(token: string, user: UserIdentity, content: Record<string, unknown>): Record<string, unknown> {
    const bot = this.bot(token);
    if (!bot.chats.has(user.id)) bot.chats.set(user.id, []);
    const id = bot.nextMessageId.get(user.id) ?? 1;
    bot.nextMessageId.set(user.id, id + 1);
    const from = { id: user.id, is_bot: false, first_name: user.first_name, ...(user.last_name ? { last_name: user.last_name } : {}), ...(user.username ? { username: user.username } : {}), language_code: 'en' };
    const message = {
      message_id: id,
      from,
      chat: { id: user.id, type: 'private', first_name: user.first_name, ...(user.username ? { username: user.username } : {}) },
      date: Math.floor(Date.now() / 1000),
      ...content,
    };
    bot.chats.get(user.id)!.push(message as unknown as StoredMessage);
    return message;
  }

  /** Opens a callback query for a press of `data` on the bot's `message`; returns the query id. */
  openCallbackQuery(token: string): string {
    const id = randomBytes(8).readBigUInt64BE().toString();
    this.bot(token).openQueries.add(id);
    return id;
  }
}

function stringParam(p: Params, name: string): string {
  const value = p[name];
  return value === undefined || value === null ? '' : String(value);
}

function scopeKey(scope: unknown): string {
  const s = scope as { type?: string; chat_id?: unknown } | undefined;
  if (!s || !s.type || s.type === 'default') return 'default';
  return s.chat_id === undefined ? s.type : `${s.type}:${String(s.chat_id)}`;
}

// ---------------------------------------------------------------- a user, for conversation tests

/**
 * A Telegram user talking to a bot: sends messages and presses buttons (updates injected into the
 * emulator) and waits for what the bot sends back.
 */
export class TelegramUser {
  /** Seq of the last call already read by {@link reply}. */
  private cursor = 0;

  constructor(
    readonly emulator: TelegramEmulator,
    readonly token: string,
    readonly identity: UserIdentity,
  ) {}

  get id(): number {
    return this.identity.id;
  }

  private inject(update: Record<string, unknown>): number {
    return this.emulator.injectUpdate(this.token, update);
  }

  /** Sends a text message; returns the update id. */
  say(text: string): number {
    const message = this.emulator.userMessage(this.token, this.identity, {
      text,
      ...(text.startsWith('/') ? { entities: [{ type: 'bot_command', offset: 0, length: text.split(/\s/)[0]!.length }] } : {}),
    });
    return this.inject({ message });
  }

  /**
   * Shares a contact card: the user's own (the share-contact button), another Telegram user's (their
   * id), or a card of someone without Telegram ('no-account': no user_id).
   */
  shareContact(phone: string, owner: 'own' | 'no-account' | number = 'own'): number {
    const userId = owner === 'own' ? this.identity.id : owner === 'no-account' ? undefined : owner;
    const message = this.emulator.userMessage(this.token, this.identity, {
      contact: { phone_number: phone, first_name: this.identity.first_name, ...(userId !== undefined ? { user_id: userId } : {}) },
    });
    return this.inject({ message });
  }

  sendDocument(bytes: Buffer, fileName: string, mime: string, options: { announcedSize?: number } = {}): number {
    const stored = this.emulator.storeFile(bytes, fileName.split('.').pop() ?? 'dat');
    const message = this.emulator.userMessage(this.token, this.identity, {
      document: { file_id: stored.file_id, file_unique_id: stored.file_unique_id, file_name: fileName, mime_type: mime, file_size: options.announcedSize ?? stored.file_size },
    });
    return this.inject({ message });
  }

  /** Sends a photo in three sizes (Telegram's smallest-first order); the largest is `bytes`. */
  sendPhoto(bytes: Buffer): number {
    const small = this.emulator.storeFile(bytes.subarray(0, Math.max(1, Math.floor(bytes.length / 4))), 'jpg');
    const medium = this.emulator.storeFile(bytes.subarray(0, Math.max(1, Math.floor(bytes.length / 2))), 'jpg');
    const large = this.emulator.storeFile(bytes, 'jpg');
    const message = this.emulator.userMessage(this.token, this.identity, {
      photo: [
        { ...small, width: 90, height: 90 },
        { ...medium, width: 320, height: 320 },
        { ...large, width: 1280, height: 1280 },
      ],
    });
    return this.inject({ message });
  }

  sendVoice(bytes: Buffer, options: { seconds?: number } = {}): number {
    const stored = this.emulator.storeFile(bytes, 'oga');
    const message = this.emulator.userMessage(this.token, this.identity, {
      voice: { ...stored, duration: options.seconds ?? 3, mime_type: 'audio/ogg' },
    });
    return this.inject({ message });
  }

  sendSticker(): number {
    const message = this.emulator.userMessage(this.token, this.identity, {
      sticker: { file_id: 'sticker', file_unique_id: 'sticker', type: 'regular', width: 512, height: 512, is_animated: false, is_video: false },
    });
    return this.inject({ message });
  }

  /** The bot's messages in this chat that still show an inline keyboard, newest first. */
  private menus(): StoredMessage[] {
    return this.emulator
      .chat(this.token, this.id)
      .filter((m) => m.from.is_bot && m.reply_markup && m.reply_markup.inline_keyboard.flat().length > 0)
      .reverse();
  }

  /** Presses the button whose text contains `label` on the newest menu showing one; returns the update id. */
  tap(label: string | RegExp): number {
    const matches = (b: InlineButton) => (typeof label === 'string' ? b.text.includes(label) : label.test(b.text)) && b.callback_data !== undefined;
    const message = this.menus().find((m) => m.reply_markup!.inline_keyboard.flat().some(matches));
    if (!message) {
      const shown = this.menus().map((m) => m.reply_markup!.inline_keyboard.flat().map((b) => b.text));
      throw new Error(`No button "${String(label)}" on screen; menus: ${JSON.stringify(shown)}`);
    }
    const button = message.reply_markup!.inline_keyboard.flat().find(matches)!;
    return this.press(message, button.callback_data!);
  }

  /** Presses a button with this callback data on `message` (even one whose keyboard is gone). */
  press(message: StoredMessage, data: string): number {
    const id = this.emulator.openCallbackQuery(this.token);
    const from = { id: this.identity.id, is_bot: false, first_name: this.identity.first_name, language_code: 'en' };
    return this.inject({ callback_query: { id, from, chat_instance: `ci${this.identity.id}`, message: structuredClone(message), data } });
  }

  /** The bot message with this text fragment (newest first). */
  findMessage(fragment: string | RegExp): StoredMessage | undefined {
    return this.emulator
      .chat(this.token, this.id)
      .filter((m) => m.from.is_bot)
      .reverse()
      .find((m) => {
        const text = m.text ?? m.caption ?? '';
        return typeof fragment === 'string' ? text.includes(fragment) : fragment.test(text);
      });
  }

  /**
   * Waits for the next message the bot sends to this user whose text (or caption, or file name)
   * matches, skipping earlier non-matching ones, and returns it. Successive calls read on from there.
   */
  async reply(pattern: string | RegExp, timeoutMs = 5000): Promise<RecordedCall> {
    const found = await this.emulator.waitFor(
      (c) => {
        if ((c.method !== 'sendMessage' && c.method !== 'sendDocument') || c.response?.ok !== true) return false;
        if (Number(c.params.chat_id) !== this.id || c.token !== this.token) return false;
        const text = String(c.params.text ?? c.params.caption ?? c.files.document?.fileName ?? '');
        return typeof pattern === 'string' ? text.includes(pattern) : pattern.test(text);
      },
      { afterSeq: this.cursor, timeoutMs, what: `a message to user ${this.id} matching ${String(pattern)}` },
    );
    this.cursor = found.seq;
    return found;
  }

  /** Texts the bot sent this user so far (successful sends), oldest first. */
  received(): string[] {
    return this.emulator.delivered(this.id, this.token).map((c) => String(c.params.text ?? c.params.caption ?? ''));
  }
}
