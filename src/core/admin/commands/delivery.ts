/**
 * /undelivered: messages the platforms refused for good (bot blocked, chat not found), so staff can
 * reach those patients another way.
 */
import { DateTime } from 'luxon';
import { AdminUsageError } from '../errors.js';
import { channelLabel, maskChatId, pagedText } from '../format.js';
import type { AdminCommand } from './types.js';

/** Entries /undelivered shows. */
export const UNDELIVERED_LIMIT = 25;

export const undeliveredCommand: AdminCommand = {
  name: 'undelivered',
  usage: '',
  description: 'Recent messages that could not be delivered (blocked bot, unknown chat)',
  async run(context) {
    if (context.args) throw new AdminUsageError('/undelivered takes nothing after it.');
    const entries = await context.deps.outbox.listUndeliverable(UNDELIVERED_LIMIT);
    if (entries.length === 0) return { replies: pagedText('Every message was delivered (none undeliverable).', []), summary: 'none' };
    const { timezone } = context.deps.clinic;
    const lines = entries.map((entry) => {
      const when = DateTime.fromISO(entry.createdAt, { zone: timezone }).setLocale('en-IN').toFormat('d LLL HH:mm');
      const reason = (entry.lastError ?? 'unknown reason').slice(0, 120);
      return `${when} · ${channelLabel(entry.route.channel)} · chat ${maskChatId(entry.route.chatId)} · ${reason} · ${entry.message.kind}`;
    });
    return {
      replies: pagedText(`${entries.length} undeliverable message${entries.length === 1 ? '' : 's'}, newest first:`, lines),
      summary: `${entries.length} listed`,
    };
  },
};
