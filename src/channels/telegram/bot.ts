/**
 * One Telegram bot as the service runs it: the telegraf client pointed at TELEGRAM_API_ROOT, who the
 * bot is (getMe), how updates arrive (long polling, or a webhook on the service's HTTP server), its
 * command menu, its start-up line and its part of /health.
 */
import type { Router } from 'express';
import { Telegraf, type Telegram } from 'telegraf';
import type { BotCommand, BotCommandScope, Update } from 'telegraf/types';
import type { FeatureStatus } from '../../features.js';
import type { Logger } from '../../logging.js';
import { describeTelegramError, isTelegramError, TelegramSetupError } from './errors.js';
import { chatIdOf } from './inbound.js';
import { ALLOWED_UPDATES, UpdatePoller } from './polling.js';
import { telegramWebhookRouter } from './webhook.js';
import { waitOrAbort } from '../../core/waitOrAbort.js';

/** Telegram's rules for a webhook secret_token. */
const SECRET_TOKEN_PATTERN = /^[A-Za-z0-9_-]{1,256}$/;
/** Telegram's rules for a command name. */
const COMMAND_PATTERN = /^[a-z0-9_]{1,32}$/;
/** The longest pause between tries at setting the webhook. */
const WEBHOOK_RETRY_MAX_MS = 5 * 60_000;

export interface TelegramBotOptions {
  /** Start-up line and log name: "telegram" or "telegram admin". */
  name: string;
  token: string;
  /** Another Bot API server (TELEGRAM_API_ROOT); Telegram's by default. */
  apiRoot?: string;
  /** Receive updates at this URL instead of polling. */
  webhook?: { url: string; secret: string };
  logger: Logger;
  /** Variable holding the token, for messages ("TELEGRAM_BOT_TOKEN"). */
  tokenVariable: string;
  /** After stepping aside for another poller, how long until looking again (default a minute). */
  conflictRecheckMs?: number;
}

/** A command menu for some chats. */
export interface CommandMenu {
  commands: readonly { command: string; description: string }[];
  scope?: BotCommandScope;
}

export class TelegramBot {
  readonly telegram: Telegram;
  private username: string | undefined;
  private poller: UpdatePoller | undefined;
  private webhookProblem: string | undefined;
  private webhookRetries: Promise<void> | undefined;
  private readonly abort = new AbortController();
  private handler: ((update: Update) => Promise<void>) | undefined;
  /** Chat menus Telegram refused at start (an admin who had not opened the bot yet), by chat id. */
  private readonly menusAwaitingChat = new Map<number, BotCommand[]>();
  private readonly menuRetries = new Set<Promise<void>>();

  constructor(private readonly options: TelegramBotOptions) {
    if (options.webhook && !SECRET_TOKEN_PATTERN.test(options.webhook.secret)) {
      throw new TelegramSetupError(
        'TELEGRAM_WEBHOOK_SECRET may only contain letters, digits, "_" and "-" (1-256 characters), as Telegram requires; choose another secret.',
      );
    }
    const bot = new Telegraf(options.token, {
      // Replies to webhook calls are never used: every message goes through the outbox.
      telegram: { webhookReply: false, ...(options.apiRoot ? { apiRoot: options.apiRoot } : {}) },
    });
    this.telegram = bot.telegram;
  }

  get mode(): 'polling' | 'webhook' {
    return this.options.webhook ? 'webhook' : 'polling';
  }

  get botUsername(): string | undefined {
    return this.username;
  }

  /**
   * Asks Telegram who the bot is. A refused token stops the service with a clear error; Telegram
   * being unreachable does not (the bot starts, and says so in /health).
   */
  async identify(): Promise<void> {
    try {
      this.username = (await this.telegram.getMe()).username;
    } catch (error) {
      if (isTelegramError(error, 401) || isTelegramError(error, 404)) {
        throw new TelegramSetupError(
          `Telegram refused ${this.options.tokenVariable} (${describeTelegramError(error)}): copy the token again from @BotFather (or unset the variable to switch the bot off).`,
        );
      }
      this.options.logger.warn({ bot: this.options.name, reason: describeTelegramError(error) }, 'Telegram is not reachable yet; the bot starts anyway');
    }
  }

  /** The webhook route (webhook mode only); it calls the handler given to {@link start}. */
  routes(): Router[] {
    const { webhook, logger, name } = this.options;
    if (!webhook) return [];
    const handle = (update: Update) => (this.handler ? this.handler(update) : Promise.reject(new Error('bot not started')));
    return [telegramWebhookRouter({ path: new URL(webhook.url).pathname, secret: webhook.secret, handle, logger, name })];
  }

  /** Starts receiving updates. Problems are logged and shown in /health, never thrown. */
  async start(handle: (update: Update) => Promise<void>): Promise<void> {
    const { webhook, logger, name } = this.options;
    // Polled or posted to the webhook, every update passes here: a chat's first one sets its menu.
    const handler = (update: Update) => {
      this.registerMenuAwaiting(update);
      return handle(update);
    };
    this.handler = handler;
    if (!this.username) await this.identify().catch((error: unknown) => logger.error({ err: error, bot: name }, 'Telegram bot token refused'));
    if (webhook) {
      if (!(await this.setWebhook(webhook))) this.webhookRetries = this.retrySetWebhook(webhook);
      return;
    }
    // A webhook left from an earlier deployment would make getUpdates fail; pending updates stay.
    await this.telegram.deleteWebhook({ drop_pending_updates: false }).catch((error: unknown) =>
      logger.warn({ bot: name, reason: describeTelegramError(error) }, 'deleteWebhook failed; polling anyway'),
    );
    this.poller = new UpdatePoller({
      telegram: this.telegram,
      logger,
      name,
      handle: handler,
      ...(this.options.conflictRecheckMs !== undefined ? { conflictRecheckMs: this.options.conflictRecheckMs } : {}),
    });
    this.poller.start();
  }

  async stop(): Promise<void> {
    this.abort.abort();
    await Promise.all([this.poller?.stop(), this.webhookRetries, ...this.menuRetries]);
  }

  /** One try at registering the webhook; true once Telegram has it. */
  private async setWebhook(webhook: { url: string; secret: string }): Promise<boolean> {
    const { logger, name } = this.options;
    try {
      await this.telegram.setWebhook(webhook.url, { secret_token: webhook.secret, allowed_updates: [...ALLOWED_UPDATES] });
      if (this.webhookProblem) logger.info({ bot: name }, `Telegram ${name}: webhook set`);
      this.webhookProblem = undefined;
      return true;
    } catch (error) {
      const reason = describeTelegramError(error);
      this.webhookProblem = `setWebhook failed (${reason})`;
      // Telegram refuses a URL it cannot use with 400; anything else is on its side or the network's.
      const hint = isTelegramError(error, 400)
        ? 'check TELEGRAM_WEBHOOK_URL (Telegram needs a public HTTPS URL on port 443, 80, 88 or 8443)'
        : 'retrying';
      logger.error({ bot: name, reason }, `Telegram webhook could not be set; ${hint}`);
      return false;
    }
  }

  /** Tries again with a growing pause (1 s up to 5 minutes) until Telegram has the webhook or the bot stops. */
  private async retrySetWebhook(webhook: { url: string; secret: string }): Promise<void> {
    for (let attempt = 0; !this.abort.signal.aborted; attempt += 1) {
      await waitOrAbort(Math.min(WEBHOOK_RETRY_MAX_MS, 1000 * 2 ** attempt), this.abort.signal);
      if (this.abort.signal.aborted || (await this.setWebhook(webhook))) return;
    }
  }

  /**
   * Registers command menus; invalid command names are skipped with a warning. A chat's menu that
   * Telegram refuses is set once that chat first writes to the bot (see {@link registerMenuAwaiting}).
   */
  async registerCommands(menus: readonly CommandMenu[]): Promise<void> {
    for (const menu of menus) {
      const commands = this.validCommands(menu);
      try {
        await this.telegram.setMyCommands(commands, menu.scope ? { scope: menu.scope } : {});
      } catch (error) {
        this.menuRefused(menu, commands, error);
      }
    }
  }

  private validCommands(menu: CommandMenu): BotCommand[] {
    const { logger, name } = this.options;
    return menu.commands
      .map((c) => ({ command: c.command.replace(/^\//, '').toLowerCase(), description: c.description.slice(0, 256) || c.command }))
      .filter((c) => {
        const valid = COMMAND_PATTERN.test(c.command);
        if (!valid) logger.warn({ bot: name, command: c.command }, 'command not registered: Telegram allows only a-z, 0-9 and _');
        return valid;
      });
  }

  private menuRefused(menu: CommandMenu, commands: BotCommand[], error: unknown): void {
    const { logger, name } = this.options;
    const reason = describeTelegramError(error);
    if (menu.scope?.type !== 'chat') {
      logger.warn({ bot: name, reason }, 'setMyCommands failed; the command menu may be out of date');
      return;
    }
    const chatId = Number(menu.scope.chat_id);
    this.menusAwaitingChat.set(chatId, commands);
    // Telegram knows a private chat only once its user has opened the bot: until then it answers
    // "chat not found". That is expected for a new admin, so it is no warning.
    const notOpenedYet = isTelegramError(error, 400) && /chat not found/i.test(error.description);
    if (notOpenedYet) logger.info({ bot: name, chatId }, "this chat's command menu will be set when it first writes to the bot");
    else logger.warn({ bot: name, chatId, reason }, "setMyCommands failed for a chat; trying again when it first writes to the bot");
  }

  /**
   * Sets the command menu Telegram refused at start for the chat of this update, now that the chat
   * exists: once per chat, best effort, and beside the update (which never waits for it).
   */
  private registerMenuAwaiting(update: Update): void {
    if (this.menusAwaitingChat.size === 0) return;
    const chatId = chatIdOf(update);
    const commands = chatId === undefined ? undefined : this.menusAwaitingChat.get(chatId);
    if (chatId === undefined || !commands) return;
    this.menusAwaitingChat.delete(chatId);
    const { logger, name } = this.options;
    const retry = this.telegram.setMyCommands(commands, { scope: { type: 'chat', chat_id: chatId } }).then(
      () => logger.info({ bot: name, chatId }, "chat's command menu set"),
      (error: unknown) => logger.debug({ bot: name, chatId, reason: describeTelegramError(error) }, "chat's command menu could not be set; it keeps the default one"),
    );
    this.menuRetries.add(retry);
    void retry.finally(() => this.menuRetries.delete(retry));
  }

  /** What is wrong, if anything, in words for /health and the start-up line. */
  private problem(): string | undefined {
    if (!this.username) return 'Telegram not reachable yet';
    return this.poller?.stoppedBy?.message ?? this.webhookProblem;
  }

  health(): { ok: boolean; mode: 'polling' | 'webhook'; username: string | null; problem?: string } {
    const problem = this.problem();
    return { ok: problem === undefined, mode: this.mode, username: this.username ?? null, ...(problem ? { problem } : {}) };
  }

  feature(): FeatureStatus {
    const who = this.username ? `@${this.username}, ` : '';
    const problem = this.problem();
    return { name: this.options.name, kind: 'channel', on: true, detail: `${who}${this.mode}${problem ? `; ${problem}` : ''}` };
  }
}
