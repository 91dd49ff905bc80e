/**
 * Accounts for every message a Telegram bot sent against the service's durable outbox, across
 * crashes. The outbox promises: every stored reply is delivered, in order, and exactly once but for one
 * window — a crash between Telegram's OK and the "sent" mark repeats that message after the restart.
 *
 * At each crash (the process dead, its data directory quiet) the ledger reads the outbox and compares
 * it with what the platform accepted so far: per chat, everything marked sent was delivered, and
 * beyond that at most the chat's next pending entry was (that is the window; it will be sent again).
 * At the end, each chat's deliveries must be its outbox entries in order, nothing missing, with
 * exactly the repeats the windows announced.
 */
import Database from 'better-sqlite3';
import { renderOutbound } from '../../../src/channels/telegram/render.js';
import type { StoredMessage } from '../../../src/core/delivery.js';
import type { Outbound } from '../../../src/core/messages.js';

interface LedgerEntry {
  seq: number;
  state: string;
  /** The Bot API sends that deliver it, as keys (see deliveredKey in telegramPatient.ts). */
  keys: string[];
}

/** The keys of the sends that deliver a stored message on Telegram. */
export function sendKeys(message: StoredMessage): string[] {
  const outbound: Outbound =
    message.kind === 'document' ? { kind: 'document', fileName: message.fileName, mime: message.mime, bytes: new Uint8Array(), caption: message.text } : message;
  return renderOutbound(outbound).map((send) => (send.method === 'sendDocument' ? `document:${send.fileName}` : `message:${send.text}`));
}

/** The bot's outbox entries of a channel per chat, in order, read straight from the SQLite file. */
export function readOutbox(file: string, channel: string): Map<string, LedgerEntry[]> {
  const db = new Database(file, { fileMustExist: true });
  try {
    const rows = db
      .prepare(`SELECT chat_id, seq, state, body FROM outbox WHERE channel = ? AND author = 'bot' ORDER BY chat_id, seq`)
      .all(channel) as { chat_id: string; seq: number; state: string; body: string }[];
    const chats = new Map<string, LedgerEntry[]>();
    for (const row of rows) {
      const entries = chats.get(row.chat_id) ?? [];
      entries.push({ seq: row.seq, state: row.state, keys: sendKeys(JSON.parse(row.body) as StoredMessage) });
      chats.set(row.chat_id, entries);
    }
    return chats;
  } finally {
    db.close();
  }
}

export class DeliveryLedger {
  /** Repeats each chat is owed: messages delivered but not marked sent at a crash. */
  private readonly owed = new Map<string, number>();
  /** Per crash, how many messages were in the window. */
  readonly windows: number[] = [];
  readonly problems: string[] = [];

  constructor(
    private readonly channel: string,
    /** What the platform accepted for a chat so far, as keys, in order. */
    private readonly delivered: (chatId: string) => string[],
  ) {}

  /** Repeats announced so far, over all chats. */
  get repeatsOwed(): number {
    let total = 0;
    for (const n of this.owed.values()) total += n;
    return total;
  }

  /** Reads what a crash left in the outbox at `file`; call while no process has the file open. */
  atCrash(file: string): void {
    let window = 0;
    for (const [chatId, entries] of readOutbox(file, this.channel)) {
      const delivered = this.delivered(chatId).length - (this.owed.get(chatId) ?? 0);
      const marked = entries.filter((e) => e.state === 'sent').reduce((n, e) => n + e.keys.length, 0);
      const head = entries.find((e) => e.state === 'pending');
      const beyond = delivered - marked;
      if (beyond < 0) this.problems.push(`chat ${chatId}: ${-beyond} sends marked sent that Telegram never accepted`);
      if (beyond > (head?.keys.length ?? 0)) this.problems.push(`chat ${chatId}: ${beyond} sends delivered beyond the ones marked sent, more than its next entry`);
      if (beyond > 0) {
        this.owed.set(chatId, (this.owed.get(chatId) ?? 0) + beyond);
        window += beyond;
      }
    }
    this.windows.push(window);
  }

  /**
   * Checks the final outbox against every delivery: all entries sent, delivered in order, none
   * missing, and exactly the repeats the crashes announced. Returns the problems found.
   */
  verify(file: string): { problems: string[]; repeats: number; entries: number } {
    const problems = [...this.problems];
    let repeats = 0;
    let total = 0;
    for (const [chatId, entries] of readOutbox(file, this.channel)) {
      total += entries.length;
      for (const entry of entries) if (entry.state !== 'sent') problems.push(`chat ${chatId}: entry #${entry.seq} is ${entry.state}`);
      const expected = entries.flatMap((entry, index) => entry.keys.map((key) => ({ key, entry: index })));
      const delivered = this.delivered(chatId);
      let j = 0;
      let extra = 0;
      for (const key of delivered) {
        if (j < expected.length && key === expected[j]!.key) {
          j += 1;
          continue;
        }
        // A repeat: a send of the entry delivered just before (it starts again from its first send).
        const previous = j > 0 ? entries[expected[j - 1]!.entry]! : undefined;
        if (previous?.keys.includes(key)) {
          extra += 1;
          continue;
        }
        problems.push(`chat ${chatId}: delivered ${JSON.stringify(key.slice(0, 80))} where entry ${j < expected.length ? JSON.stringify(expected[j]!.key.slice(0, 80)) : '(none)'} was due`);
        break;
      }
      if (j < expected.length) problems.push(`chat ${chatId}: ${expected.length - j} sends never delivered, from ${JSON.stringify(expected[j]!.key.slice(0, 80))}`);
      const owed = this.owed.get(chatId) ?? 0;
      if (extra !== owed) problems.push(`chat ${chatId}: ${extra} repeated sends, but crashes left ${owed} in the window`);
      repeats += extra;
    }
    return { problems, repeats, entries: total };
  }
}
