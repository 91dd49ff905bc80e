/**
 * Telegram as patients reach it: the real app with the Telegram channel on (real telegraf, long
 * polling) against the loopback Bot API emulator. Inputs arrive as updates (messages, contact cards,
 * documents, button presses); replies are judged as Telegram would show them, from the bot's own
 * sendMessage/sendDocument calls.
 */
import path from 'node:path';
import { encodeOptionId } from '../../../src/channels/telegram/callbackData.js';
import { TelegramEmulator, type RecordedCall, type StoredMessage, type TelegramUser } from '../../support/telegramEmulator.js';
import { startTelegramApp, type TelegramTestApp } from '../../support/telegramApp.js';
import { fileBytes, type HostilePayload } from '../../fixtures/hostile-inputs.js';
import { nextWalkPhone, walkTo, type ChannelDriver, type ConversationSnapshot, type DriverConversation, type DriverOutcome, type DriverReply } from './channelDriver.js';

interface TelegramConversation extends DriverConversation {
  user: TelegramUser;
  userId: number;
}

const UPLOAD_MB = 1;
const UPLOAD_LIMIT = UPLOAD_MB * 1024 * 1024;
/** Generous: an update is handled in milliseconds, but the machine may be busy. */
const WAIT_MS = 15_000;

function replyOf(call: RecordedCall): DriverReply {
  const markup = call.params.reply_markup as { inline_keyboard?: { text: string; callback_data?: string }[][] } | undefined;
  const buttons = (markup?.inline_keyboard ?? []).flat();
  return {
    kind: call.method,
    text: String(call.params.text ?? call.params.caption ?? call.files.document?.fileName ?? ''),
    ...(buttons.length > 0 ? { options: buttons.map((b) => ({ id: b.callback_data ?? '', label: b.text })) } : {}),
  };
}

export async function createTelegramDriver(): Promise<ChannelDriver> {
  const emulator = await TelegramEmulator.start();
  const token = emulator.addBot('reliability_clinic_bot');
  let running: TelegramTestApp;
  try {
    running = await startTelegramApp(emulator, token, { env: { MAX_UPLOAD_MB: String(UPLOAD_MB), RATE_LIMIT_PER_MINUTE: '0' } });
  } catch (error) {
    await emulator.close();
    throw error;
  }
  const { sessions, store, outbox } = running.app.context;
  let users = 0;

  const snapshot = async (conversation: DriverConversation): Promise<ConversationSnapshot> => {
    const session = await sessions.load({ channel: 'telegram', chatId: conversation.chatId });
    const appointmentId = session?.targetAppointmentId ?? session?.draft.appointmentId;
    const appointment = appointmentId ? await store.getAppointment(appointmentId) : undefined;
    return {
      state: session?.state,
      draft: structuredClone(session?.draft ?? {}),
      menuIds: session?.menu.map((o) => o.id) ?? [],
      appointmentId,
      reports: appointment?.reports.length ?? 0,
      appointmentStatus: appointment?.status,
    };
  };

  /**
   * Injects one update and waits, without sleeping, until the bot has handled it (it asks for the
   * next offset only then) and has sent every reply the turn stored.
   */
  async function deliver(conversation: TelegramConversation, inject: () => number): Promise<DriverOutcome> {
    conversation.messagesSent += 1;
    const before = emulator.lastSeq;
    const updateId = inject();
    await emulator.waitFor((c) => c.method === 'getUpdates' && c.token === token && Number(c.params.offset) > updateId, {
      arrived: true,
      timeoutMs: WAIT_MS,
      what: `the bot to finish update ${updateId}`,
    });
    const stored = await outbox.listReplies({ channel: 'telegram', chatId: conversation.chatId }, `u${updateId}`);
    const replies: DriverReply[] = [];
    let after = before;
    for (let i = 0; i < stored.length; i++) {
      const call = await emulator.waitFor(
        (c) => (c.method === 'sendMessage' || c.method === 'sendDocument') && c.token === token && Number(c.params.chat_id) === conversation.userId,
        { afterSeq: after, timeoutMs: WAIT_MS, what: `reply ${i + 1} of ${stored.length} to update ${updateId}` },
      );
      after = call.seq;
      // Telegram refusing our own message (bad HTML, too long) is a failure to answer.
      if (call.response?.ok !== true) replies.push({ kind: 'refused-by-telegram', text: '' });
      else replies.push(replyOf(call));
    }
    return { kind: 'replies', replies };
  }

  function lastBotMessage(conversation: TelegramConversation): StoredMessage {
    const mine = emulator.chat(token, conversation.userId).filter((m) => m.from.is_bot);
    const menu = [...mine].reverse().find((m) => (m.reply_markup?.inline_keyboard.flat().length ?? 0) > 0);
    const message = menu ?? mine.at(-1);
    if (!message) throw new Error('no bot message to press a button on');
    return message;
  }

  return {
    name: 'telegram (Bot API emulator)',
    channel: 'telegram',
    overHttp: false,
    // The engine asks a chat to slow down after 30 messages a minute.
    messagesPerConversation: 25,
    world: { store, reportsDir: path.join(running.dataDir, 'reports'), maxUploadBytes: UPLOAD_LIMIT, now: () => running.clock.now() },
    supports: (payload) => payload.kind !== 'http',
    async open(step) {
      const userId = 800_000 + ++users;
      const user = emulator.user(token, { id: userId, first_name: 'Reliability', last_name: `Patient ${users}` });
      const conversation: TelegramConversation = { chatId: String(userId), user, userId, messagesSent: 0 };
      await walkTo(
        step,
        nextWalkPhone(),
        async (text) => void (await deliver(conversation, () => user.say(text))),
        async () => (await snapshot(conversation)).state,
      );
      return conversation;
    },
    send(conversation, payload: HostilePayload) {
      const c = conversation as TelegramConversation;
      switch (payload.kind) {
        case 'text':
          return deliver(c, () => c.user.say(payload.text));
        case 'contact':
          return deliver(c, () => c.user.shareContact(payload.phone));
        case 'choice':
          // A button carries what our keyboards would carry for that option id (forged or not).
          return deliver(c, () => c.user.press(lastBotMessage(c), encodeOptionId(payload.optionId)));
        case 'file': {
          const bytes = Buffer.from(fileBytes(payload.recipe, UPLOAD_LIMIT));
          const announcedSize = payload.announcedSize === 'zero' ? 0 : payload.announcedSize === 'tiny' ? 1024 : undefined;
          return deliver(c, () => c.user.sendDocument(bytes, payload.fileName, payload.mime, announcedSize === undefined ? {} : { announcedSize }));
        }
        case 'http':
          throw new Error('Telegram carries no raw HTTP bodies');
      }
    },
    snapshot,
    async healthy() {
      const response = await fetch(`${running.base}/health`);
      const health = (await response.json()) as { ok?: boolean; telegram?: { ok?: boolean } };
      return response.status === 200 && health.ok === true && health.telegram?.ok === true;
    },
    async close() {
      await running.dispose();
      await emulator.close();
    },
  };
}
