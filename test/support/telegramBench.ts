/**
 * Drives booking conversations through the Telegram Bot API emulator, for measuring the time per
 * update of the Telegram channel — ours, or a bare telegraf bot that only echoes, on the same stream.
 */
import { Telegraf } from 'telegraf';
import type { TelegramEmulator } from './telegramEmulator.js';

/** One message of a booking conversation and what the bot says back to it. */
export type StreamStep = readonly [text: string, reply: RegExp];

/** Doctors and first times the patients of {@link bookingStream} spread over. */
const SPREAD = { doctors: 3, times: 2 } as const;

/**
 * Patient `index`'s booking by typed answers (menus answered by number), and what the bot says back
 * to each. Patients spread over the sample clinic's three doctors and the first two times offered, as
 * patients of a clinic do, so that with room in every slot the stream is ten updates a patient for
 * the service and for the echo bot alike (a time taken by someone else adds updates; see
 * {@link driveTelegramBookings}).
 */
export function bookingStream(index: number): readonly StreamStep[] {
  const doctor = String((index % SPREAD.doctors) + 1);
  const time = String((Math.floor(index / SPREAD.doctors) % SPREAD.times) + 1);
  return [
    ['/start', /How can I help/],
    ['1', /full name/],
    ['Ravi Kumar', /mobile number/],
    ['98765 43210', /How old/],
    ['52', /gender/],
    ['male', /visit for/],
    ['Knee pain', /doctor/i],
    [doctor, /Pick a time/],
    [time, /pay/i],
    ['1', /Appointment confirmed/],
  ];
}

const TAKEN = /just taken/;

export interface BenchResult {
  conversations: number;
  /** Messages sent (a lost race for a time adds one). */
  updates: number;
  /** Until every conversation had its last answer. */
  elapsedMs: number;
  /** Wall time per update with all conversations in flight. */
  msPerUpdate: number;
  /**
   * Bookings only: from the start until every patient also had the confirmation PDF, which follows
   * the confirmation text.
   */
  documentsMs?: number;
}

/**
 * Runs `conversations` patients through their {@link bookingStream} at once (each waits for the bot's
 * answer before the next message). `expect: 'echo'` waits for the echo of each message instead of the
 * booking flow's answer, for the bare-bot baseline.
 */
export async function driveTelegramBookings(
  emulator: TelegramEmulator,
  token: string,
  options: { conversations: number; expect?: 'booking' | 'echo'; firstUserId?: number; timeoutMs?: number },
): Promise<BenchResult> {
  const firstUserId = options.firstUserId ?? 100_000;
  const timeoutMs = options.timeoutMs ?? 30_000;
  let updates = 0;
  const started = performance.now();
  let answeredAt = started;
  const documents: Promise<unknown>[] = [];
  await Promise.all(
    Array.from({ length: options.conversations }, async (_, index) => {
      const user = emulator.user(token, { id: firstUserId + index, first_name: `Patient${index}` });
      for (const [text, reply] of bookingStream(index)) {
        updates += 1;
        if (options.expect === 'echo') {
          user.say(text);
          await user.reply(new RegExp(`^${text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`), timeoutMs);
          continue;
        }
        // Patients racing for the same time: the one who lost picks the next offered time.
        for (;;) {
          user.say(text);
          const answer = await user.reply(new RegExp(`${reply.source}|${TAKEN.source}`, 'i'), timeoutMs);
          const said = String(answer.params.text);
          if (!TAKEN.test(said)) break;
          // The times are offered again, in the same message as the notice.
          if (!/Pick a time/.test(said)) await user.reply(/Pick a time/, timeoutMs);
          updates += 1;
        }
      }
      answeredAt = Math.max(answeredAt, performance.now());
      if (options.expect !== 'echo') documents.push(user.reply(/confirmation \(PDF\)/, timeoutMs));
    }),
  );
  const elapsedMs = answeredAt - started;
  const result: BenchResult = { conversations: options.conversations, updates, elapsedMs, msPerUpdate: elapsedMs / updates };
  if (documents.length > 0) {
    await Promise.all(documents);
    result.documentsMs = performance.now() - started;
  }
  return result;
}

/** A bare telegraf bot on the emulator that echoes every text (telegraf's own long polling). */
export async function startEchoBot(emulator: TelegramEmulator, token: string): Promise<{ stop(): Promise<void> }> {
  const bot = new Telegraf(token, { telegram: { apiRoot: emulator.apiRoot } });
  bot.on('text', (ctx) => ctx.reply(ctx.message.text));
  let launched: Promise<void> | undefined;
  await new Promise<void>((resolve, reject) => {
    launched = bot.launch(() => resolve()).catch(reject);
  });
  return {
    async stop() {
      bot.stop('bench finished');
      await launched;
    },
  };
}
