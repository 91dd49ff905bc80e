/**
 * /undelivered: messages the platforms refused for good (bot blocked, chat not found), so staff can
 * reach those patients another way: each is named by the patient's latest appointment in that chat.
 */
import { DateTime } from 'luxon';
import type { DeliveryRoute } from '../../delivery.js';
import type { ClinicStore } from '../../ports.js';
import { AdminUsageError } from '../errors.js';
import { channelLabel, maskChatId, pagedText } from '../format.js';
import type { AdminCommand } from './types.js';

/** "Asha Rao (APT-…)" for a chat someone booked from; the masked chat otherwise (an admin's own chat). */
async function whoIsIn(store: ClinicStore, route: DeliveryRoute): Promise<string> {
  if (route.channel !== 'telegram-admin') {
    const [latest] = await store.listAppointments({ conversation: { channel: route.channel, chatId: route.chatId } });
    if (latest) return `${latest.patient.name} (${latest.id})`;
  }
  return `chat ${maskChatId(route.chatId)}`;
}

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
    const names = new Map<string, Promise<string>>();
    const nameOf = (route: DeliveryRoute) => {
      const key = `${route.channel}:${route.chatId}`;
      if (!names.has(key)) names.set(key, whoIsIn(context.deps.store, route));
      return names.get(key)!;
    };
    const lines = await Promise.all(
      entries.map(async (entry) => {
        const when = DateTime.fromISO(entry.createdAt, { zone: timezone }).setLocale('en-IN').toFormat('d LLL HH:mm');
        const reason = (entry.lastError ?? 'unknown reason').slice(0, 120);
        return `${when} · ${channelLabel(entry.route.channel)} · ${await nameOf(entry.route)} · ${reason} · ${entry.message.kind}`;
      }),
    );
    return {
      replies: pagedText(`${entries.length} undeliverable message${entries.length === 1 ? '' : 's'}, newest first:`, lines),
      summary: `${entries.length} listed`,
    };
  },
};
