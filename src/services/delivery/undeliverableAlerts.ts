/**
 * Telling the admins that a patient cannot be reached on a channel (bot blocked, number not on
 * WhatsApp), once a day per chat, with the patient's name so staff can phone them instead.
 */
import type { OutboxEntry } from '../../core/delivery.js';
import { maskChatId } from '../../core/masking.js';
import type { AdminAlerts, ClinicStore, Clock } from '../../core/ports.js';
import { clinicDate } from '../../core/slots.js';

export interface UndeliverableAlertDeps {
  store: ClinicStore;
  alerts: AdminAlerts;
  clock: Clock;
  /** The clinic's zone: "once a day" is the clinic's day, not UTC's (which turns at 05:30 in India). */
  timezone: string;
}

/**
 * The sender's `onUndeliverable` for a patient channel. `platform` names it for staff ("Telegram");
 * chats for which `skip` is true (an admin's own chat) are not reported: the alert would fail too.
 */
export function alertUndeliverable(
  deps: UndeliverableAlertDeps,
  platform: string,
  skip: (chatId: string) => boolean = () => false,
): (entry: OutboxEntry, reason: string) => Promise<void> {
  return async (entry, reason) => {
    const { channel, chatId } = entry.route;
    if (skip(chatId) || channel === 'telegram-admin') return;
    const [latest] = await deps.store.listAppointments({ conversation: { channel, chatId } }).catch(() => []);
    const who = latest ? `${latest.patient.name} (${latest.id})` : `${platform} chat ${maskChatId(chatId)}`;
    const day = clinicDate(deps.clock.now(), deps.timezone);
    await deps.alerts.alert(
      `⚠️ ${who} cannot be reached on ${platform}: a message could not be delivered (${reason}). Please contact them another way.`,
      { dedupeKey: `undeliverable:${channel}:${chatId}:${day}` },
    );
  };
}
