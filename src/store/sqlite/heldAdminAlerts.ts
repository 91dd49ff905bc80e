/**
 * Admin alerts held back from admin chats that are not logged in (ADMIN_PASSWORD), in the local SQLite
 * file next to the outbox they are released into: holding and releasing are each one transaction with
 * the outbox's own tables, so an alert is never lost, doubled or sent to a chat it was held from.
 */
import type Database from 'better-sqlite3';
import type { DeliveryRoute, OutboxEntry, StoredMessage } from '../../core/delivery.js';
import type { HeldAdminAlert, HeldAdminAlertStore } from '../../core/ports.js';
import type { SqliteOutbox } from './outbox.js';
import { toIsoInstant } from './rows.js';

interface HeldRow {
  id: number;
  text: string;
  held_at: string;
}

/** {@link HeldAdminAlertStore} on the `held_admin_alerts` table. */
export class SqliteHeldAdminAlerts implements HeldAdminAlertStore {
  private readonly holdInTransaction;
  private readonly releaseInTransaction;

  /** @param outbox the outbox of the same database: released alerts are appended in the release's transaction */
  constructor(
    db: Database.Database,
    private readonly outbox: SqliteOutbox,
  ) {
    // The outbox's own dedupe claim: whether an alert is held or pushed, its key is spent once.
    const claimDedupe = db.prepare<[string, string]>('INSERT INTO outbox_dedupe (key, created_at) VALUES (?, ?) ON CONFLICT(key) DO NOTHING');
    const forget = db.prepare<[string, string, string]>('DELETE FROM held_admin_alerts WHERE channel = ? AND chat_id = ? AND held_at < ?');
    const insert = db.prepare<[string, string, string, string | null, string]>(
      'INSERT INTO held_admin_alerts (channel, chat_id, text, dedupe_key, held_at) VALUES (?, ?, ?, ?, ?)',
    );
    const ofChat = db.prepare<[string, string], HeldRow>('SELECT id, text, held_at FROM held_admin_alerts WHERE channel = ? AND chat_id = ? ORDER BY id');
    const removeUpTo = db.prepare<[string, string, number]>('DELETE FROM held_admin_alerts WHERE channel = ? AND chat_id = ? AND id <= ?');

    this.holdInTransaction = db.transaction((route: DeliveryRoute, text: string, now: Date, dedupeKey: string | undefined, forgetBefore: Date): boolean => {
      if (dedupeKey !== undefined && claimDedupe.run(dedupeKey, toIsoInstant(now)).changes === 0) return false;
      forget.run(route.channel, route.chatId, toIsoInstant(forgetBefore));
      insert.run(route.channel, route.chatId, text, dedupeKey ?? null, toIsoInstant(now));
      return true;
    });

    this.releaseInTransaction = db.transaction(
      (route: DeliveryRoute, now: Date, compose: (held: readonly HeldAdminAlert[]) => StoredMessage[]): OutboxEntry[] => {
        const rows = ofChat.all(route.channel, route.chatId);
        const last = rows.at(-1);
        if (!last) return [];
        const messages = compose(rows.map((row) => ({ text: row.text, heldAt: row.held_at })));
        // Written as one answer to the chat's login (whose platform message id is not known here).
        const written = messages.length > 0 ? this.outbox.appendTurn(route, { messageId: `login@${toIsoInstant(now)}`, patient: null, replies: messages }, now) : [];
        removeUpTo.run(route.channel, route.chatId, last.id);
        return written;
      },
    );
  }

  async hold(route: DeliveryRoute, text: string, now: Date, options: { dedupeKey?: string; forgetBefore: Date }): Promise<boolean> {
    return this.holdInTransaction.immediate(route, text, now, options.dedupeKey, options.forgetBefore);
  }

  async release(route: DeliveryRoute, now: Date, compose: (held: readonly HeldAdminAlert[]) => StoredMessage[]): Promise<OutboxEntry[]> {
    const written = this.releaseInTransaction.immediate(route, now, compose);
    if (written.length > 0) this.outbox.announce(route.channel, route.chatId);
    return written;
  }
}
