/**
 * What happens to each Telegram update: duplicates dropped, one chat's updates handled strictly in
 * order, button presses answered at once and their menu edited so it cannot be pressed twice, admin
 * commands routed to the admin console, everything else handed to the conversation engine.
 *
 * Replies are never sent from here: the engine stores them in the outbox with the turn, and the
 * channel's outbox sender delivers them. Only the acknowledgements of a pressed button (which are not
 * messages) are sent directly.
 */
import type { Telegram } from 'telegraf';
import type { Update } from 'telegraf/types';
import { toStoredMessage, type DocumentFiles } from '../../core/delivery.js';
import { EngineClosedError } from '../../core/engine.js';
import { KeyedLock } from '../../core/keyedLock.js';
import type { Inbound, InboundContent, Outbound } from '../../core/messages.js';
import type { AdminConsole, Clock, Outbox, SessionStore } from '../../core/ports.js';
import type { Logger } from '../../logging.js';
import { decodeCallbackData, resolveHashed } from './callbackData.js';
import { parseCommand, patientCommandContent, UNKNOWN_COMMAND_TEXT, type ParsedCommand } from './commands.js';
import { describeTelegramError } from './errors.js';
import { translateUpdate, type FileLoader, type PressedMenu, type TelegramInput, type TelegramSender } from './inbound.js';
import { MESSAGE_MAX_CHARS } from './render.js';

export const FOREIGN_CONTACT_TEXT =
  'For your privacy I can only take your own contact card. If the appointment is for someone else, please type their mobile number.';
export const ALREADY_ANSWERED_TEXT = 'You have already answered this.';
export const STAFF_ONLY_TEXT = "This bot is for the clinic's staff.";
const OLD_BUTTON_TEXT = 'This button is no longer available.';

/** What both bots need. */
export interface UpdateHandlerOptions {
  channel: 'telegram' | 'telegram-admin';
  telegram: Telegram;
  outbox: Outbox;
  files: DocumentFiles;
  clock: Clock;
  logger: Logger;
  loadFile: FileLoader;
  maxUploadBytes: number;
  /** The bot's @username once known (a command addressed to another bot is none of ours). */
  botUsername: () => string | undefined;
  admin?: AdminConsole;
}

/** The patient bot also reaches the engine and the stored sessions. */
export interface PatientUpdateOptions extends UpdateHandlerOptions {
  channel: 'telegram';
  engine: { handle(inbound: Inbound): Promise<Outbound[]> };
  sessions: SessionStore;
}

type ButtonInput = Extract<TelegramInput, { kind: 'button' }>;

/** A button press whose callback query is being answered. */
interface AnsweredPress {
  /** False when this menu was pressed before (a double tap): nothing more is done. */
  first: boolean;
  /** Settles once Telegram has the answer (failures are logged, never thrown). */
  answered: Promise<void>;
}

/** A bounded set of recently seen keys (update ids, answered menus). */
class RecentKeys {
  private readonly keys = new Set<string>();
  constructor(private readonly capacity: number) {}
  /** Adds `key`; false when it was already there. */
  add(key: string): boolean {
    if (this.keys.has(key)) return false;
    this.keys.add(key);
    if (this.keys.size > this.capacity) this.keys.delete(this.keys.values().next().value!);
    return true;
  }
  delete(key: string): void {
    this.keys.delete(key);
  }
}

/** Shared by both bots: de-duplication, per-chat order, button acknowledgement, pushing replies. */
abstract class TelegramUpdateHandler {
  private readonly lock = new KeyedLock();
  private readonly seenUpdates = new RecentKeys(5_000);
  private readonly answeredMenus = new RecentKeys(5_000);

  constructor(protected readonly options: UpdateHandlerOptions) {}

  /**
   * Handles one update. Updates of one chat run in the order this is called. Rejects only with the
   * engine's EngineClosedError (shutdown): the update must then not be confirmed to Telegram.
   */
  handle(update: Update): Promise<void> {
    const { loadFile, maxUploadBytes } = this.options;
    const key = String(update.update_id);
    if (!this.seenUpdates.add(key)) return Promise.resolve();
    const input = translateUpdate(update, { loadFile, maxUploadBytes });
    if (input.kind === 'ignored') return Promise.resolve();
    // A press is answered before it queues behind the chat's earlier updates (a file being fetched,
    // a voice note being heard): Telegram shows a spinner on the button until then.
    const press = input.kind === 'button' ? this.answerPress(input) : undefined;
    // Entered synchronously, so the chat's updates queue up in arrival order.
    return this.lock.run(input.sender.chatId, async () => {
      try {
        if (input.kind === 'button') await this.pressed(input, press!);
        else await this.process(input);
      } catch (error) {
        if (isEngineClosed(error)) {
          this.seenUpdates.delete(key);
          throw error;
        }
        this.options.logger.error({ err: error, channel: this.options.channel, chatId: input.sender.chatId }, 'Telegram update could not be handled');
      } finally {
        await press?.answered;
      }
    });
  }

  protected abstract process(input: Exclude<TelegramInput, { kind: 'ignored' | 'button' }>): Promise<void>;

  /**
   * Acts on the first press of a menu (a double tap only gets its toast).
   * @param closeMenu takes the pressed menu's buttons away so it cannot be pressed twice, showing the
   *   choice only when `accepted` (a press of an old menu must not look as if it had been taken)
   */
  protected abstract press(input: ButtonInput, closeMenu: (accepted: boolean) => void): Promise<void>;

  private async pressed(input: ButtonInput, press: AnsweredPress): Promise<void> {
    if (!press.first) return;
    // The edit runs beside the turn; the chat's next update waits for both.
    const edits: Promise<void>[] = [];
    const closeMenu = (accepted: boolean) => {
      if (input.menu) edits.push(this.closeMenu(input.menu, accepted).catch((error: unknown) => this.ackFailed(input, error)));
    };
    try {
      await this.press(input, closeMenu);
    } finally {
      await Promise.all(edits);
    }
  }

  /** Answers the callback query: silently, or with a toast when this menu was already answered (a double tap). */
  private answerPress(input: ButtonInput): AnsweredPress {
    const first = input.menu ? this.answeredMenus.add(`${input.menu.chatId}:${input.menu.messageId}`) : true;
    const answered = this.options.telegram
      .answerCbQuery(input.queryId, first ? undefined : ALREADY_ANSWERED_TEXT)
      .then(() => undefined, (error: unknown) => this.ackFailed(input, error));
    return { first, answered };
  }

  private ackFailed(input: ButtonInput, error: unknown): void {
    this.options.logger.debug({ reason: describeTelegramError(error), chatId: input.sender.chatId }, 'button acknowledgement failed');
  }

  private async closeMenu(menu: PressedMenu, accepted: boolean): Promise<void> {
    const { telegram } = this.options;
    const shown = accepted && menu.label ? `${menu.text}\n\n✓ ${menu.label}` : undefined;
    if (shown && shown.length <= MESSAGE_MAX_CHARS) {
      await telegram.editMessageText(menu.chatId, menu.messageId, undefined, shown, { link_preview_options: { is_disabled: true } });
    } else {
      await telegram.editMessageReplyMarkup(menu.chatId, menu.messageId, undefined, undefined);
    }
  }

  /**
   * Deletes a /login message from the chat once handled, so the admin password does not stay on the
   * screen (or in the chat history of a lost phone). Best effort.
   */
  protected async forgetPassword(input: Extract<TelegramInput, { kind: 'message' }>): Promise<void> {
    if (input.content.kind !== 'text' || !/^\/login(@\w+)?\s/i.test(input.content.text.trim() + ' ')) return;
    await this.options.telegram.deleteMessage(input.sender.chatId, input.telegramMessageId).catch((error: unknown) => {
      this.options.logger.debug({ reason: describeTelegramError(error), chatId: input.sender.chatId }, 'could not delete a /login message');
    });
  }

  /** Stores replies for the sender to deliver (at most once per answered update). */
  protected async pushReplies(chatId: string, replies: Outbound[], inReplyTo: string): Promise<void> {
    const { outbox, files, clock, channel } = this.options;
    if (replies.length === 0) return;
    const stored = [];
    for (const reply of replies) stored.push(await toStoredMessage(reply, files));
    await outbox.push({ channel, chatId }, stored, clock.now(), { inReplyTo, dedupeKey: `${channel}:${chatId}:${inReplyTo}` });
  }

  /** The admin console's replies to a command, or undefined when it is not one for the console. */
  protected async adminReplies(sender: TelegramSender, text: string): Promise<Outbound[] | undefined> {
    const { admin, channel, clock } = this.options;
    if (!admin) return undefined;
    return admin.handle({ channel, chatId: sender.chatId, userId: sender.userId, text, now: clock.now() });
  }

  /** The option id a button carried, resolved against the chat's current menu when it was hashed. */
  protected async optionIdOf(data: string, currentMenu: () => Promise<{ id: string; label: string }[]>): Promise<string | undefined> {
    const decoded = decodeCallbackData(data);
    if (decoded.kind === 'option') return decoded.optionId;
    if (decoded.kind === 'hashed') return resolveHashed(decoded.hash, await currentMenu())?.id;
    return undefined;
  }
}

function isEngineClosed(error: unknown): boolean {
  return error instanceof EngineClosedError;
}

/** The patient bot: the booking flow, with admin commands for admins when there is no admin bot. */
export class PatientUpdateHandler extends TelegramUpdateHandler {
  constructor(private readonly patient: PatientUpdateOptions) {
    super(patient);
  }

  protected async process(input: Exclude<TelegramInput, { kind: 'ignored' | 'button' }>): Promise<void> {
    const { sender, messageId } = input;
    switch (input.kind) {
      case 'foreign-contact': {
        // At the phone question the share button stays, for their own card; elsewhere it is just a note.
        const atPhoneStep = (await this.patient.sessions.load(this.ref(sender)))?.state === 'AWAITING_PHONE';
        return this.pushReplies(sender.chatId, [{ kind: atPhoneStep ? 'ask-contact' : 'text', text: FOREIGN_CONTACT_TEXT }], messageId);
      }
      case 'message':
        await this.message(sender, messageId, input.content);
        return this.forgetPassword(input);
    }
  }

  protected async press(input: ButtonInput, closeMenu: (accepted: boolean) => void): Promise<void> {
    const { sender, messageId, data } = input;
    const currentMenu = (await this.patient.sessions.load(this.ref(sender)))?.menu ?? [];
    const optionId = await this.optionIdOf(data, async () => currentMenu);
    // Admin menus carry commands as option ids; anyone else's press of one is simply stale.
    if (optionId?.startsWith('/')) {
      const replies = await this.adminReplies(sender, optionId);
      if (replies) {
        closeMenu(true);
        return this.pushReplies(sender.chatId, replies, messageId);
      }
    }
    // Shown as chosen only when it answers the question on screen; the flow tells an old button so.
    closeMenu(currentMenu.some((option) => option.id === optionId));
    // An unknown or unresolvable button is handed on as it is: the flow answers it as an old button.
    await this.toEngine(sender, messageId, { kind: 'choice', optionId: optionId ?? data });
  }

  /** A message: a slash command when it has a command's shape, else an answer for the flow ("/ 5 pm" included). */
  private async message(sender: TelegramSender, messageId: string, content: InboundContent): Promise<void> {
    const command = content.kind === 'text' ? parseCommand(content.text, this.options.botUsername()) : undefined;
    if (content.kind !== 'text' || !command) return this.toEngine(sender, messageId, content);
    await this.command(sender, messageId, content.text, command);
  }

  /**
   * An admin command for an admin, a patient command for the flow; any other command is answered
   * with the patient commands and not sent to the flow, so it changes nothing: the patient can go on
   * answering the question on screen.
   */
  private async command(sender: TelegramSender, messageId: string, text: string, command: ParsedCommand): Promise<void> {
    // In a private chat, "/x@other_bot" was still typed to us: answered rather than met with silence.
    if (command.forAnotherBot) return this.unknownCommand(sender, messageId);
    const adminReplies = await this.adminReplies(sender, text.trim());
    if (adminReplies) return this.pushReplies(sender.chatId, adminReplies, messageId);
    const forTheFlow = patientCommandContent(command.name);
    if (!forTheFlow) return this.unknownCommand(sender, messageId);
    await this.toEngine(sender, messageId, forTheFlow);
  }

  private unknownCommand(sender: TelegramSender, messageId: string): Promise<void> {
    return this.pushReplies(sender.chatId, [{ kind: 'text', text: UNKNOWN_COMMAND_TEXT }], messageId);
  }

  private ref(sender: TelegramSender) {
    return { channel: 'telegram', chatId: sender.chatId } as const;
  }

  private async toEngine(sender: TelegramSender, messageId: string, content: InboundContent): Promise<void> {
    await this.patient.engine.handle({
      channel: 'telegram',
      chatId: sender.chatId,
      messageId,
      receivedAt: this.options.clock.now(),
      ...(sender.displayName ? { displayName: sender.displayName } : {}),
      content,
    });
  }
}

/** The separate admin bot: only the admin console; anyone else learns it is the staff's bot. */
export class AdminUpdateHandler extends TelegramUpdateHandler {
  protected async press(input: ButtonInput, closeMenu: (accepted: boolean) => void): Promise<void> {
    const { sender, messageId } = input;
    const optionId = await this.optionIdOf(input.data, async () => []);
    const replies = optionId?.startsWith('/') ? await this.adminReplies(sender, optionId) : undefined;
    closeMenu(replies !== undefined);
    await this.pushReplies(sender.chatId, replies ?? [{ kind: 'text', text: optionId ? STAFF_ONLY_TEXT : OLD_BUTTON_TEXT }], messageId);
  }

  protected async process(input: Exclude<TelegramInput, { kind: 'ignored' | 'button' }>): Promise<void> {
    const { sender, messageId } = input;
    const text = input.kind === 'message' && input.content.kind === 'text' ? input.content.text.trim() : undefined;
    const replies =
      (text ? await this.adminReplies(sender, text) : undefined) ??
      // An admin's /start, greeting or photo is no command: they get the command list (or the login
      // prompt), as /help would give them. Anyone else only learns whose bot this is.
      (await this.adminReplies(sender, '/help'));
    await this.pushReplies(sender.chatId, replies ?? [{ kind: 'text', text: STAFF_ONLY_TEXT }], messageId);
    if (input.kind === 'message') await this.forgetPassword(input);
  }
}
