/**
 * Catching admin chats up on what could not reach them before they first wrote. Telegram does not
 * know a private chat until its user has opened the bot, and answers "chat not found" to anything
 * sent there before (the daily agenda, for an admin who has not started the bot yet). The first
 * update of such a chat since start is the moment it can be reached.
 */
import type { Update } from 'telegraf/types';
import type { Logger } from '../../logging.js';
import { chatIdOf } from './inbound.js';

export interface FirstUpdateCatchUpOptions {
  /** The chats watched (the admins'). */
  chatIds: readonly string[];
  /** What a watched chat is brought on its first update (e.g. the day's agenda it missed). */
  catchUp: (chatId: string) => Promise<unknown>;
  logger: Logger;
  /** Which bot, for logs. */
  name: string;
}

/**
 * Runs the catch-up of each watched chat once, on its first update since start, before that update is
 * handled: the chat's later updates wait for it too, so they stay in order. A catch-up that fails is
 * logged and tried again on the chat's next update; it never fails the update.
 */
export class FirstUpdateCatchUp {
  private readonly waiting: Set<string>;
  private readonly running = new Map<string, Promise<void>>();

  constructor(private readonly options: FirstUpdateCatchUpOptions) {
    this.waiting = new Set(options.chatIds);
  }

  /** What to await before handling `update`: its chat's catch-up while that runs, else nothing. */
  before(update: Update): Promise<void> | undefined {
    if (this.waiting.size === 0 && this.running.size === 0) return undefined;
    const id = chatIdOf(update);
    if (id === undefined) return undefined;
    const chatId = String(id);
    const running = this.running.get(chatId);
    if (running || !this.waiting.delete(chatId)) return running;
    const started = this.run(chatId).finally(() => this.running.delete(chatId));
    this.running.set(chatId, started);
    return started;
  }

  private async run(chatId: string): Promise<void> {
    try {
      await this.options.catchUp(chatId);
    } catch (error) {
      this.waiting.add(chatId);
      this.options.logger.error({ err: error, bot: this.options.name, chatId }, 'could not check what this chat missed before it first wrote; trying again on its next update');
    }
  }
}
