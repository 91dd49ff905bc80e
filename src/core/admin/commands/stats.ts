/**
 * /stats [days]: bookings made in the last days by status, channel and doctor, and the fees paid for
 * them online and at the clinic. Holds that lapsed unpaid were never bookings: they are counted apart,
 * so every line adds up to the total.
 */
import type { Appointment, AppointmentStatus } from '../../domain.js';
import { formatMoney } from '../../flow/describe.js';
import { clinicDate, formatDate } from '../../slots.js';
import { AdminUsageError } from '../errors.js';
import { channelLabel, pagedText, statusLabel } from '../format.js';
import type { AdminCommand } from './types.js';

export const DEFAULT_STATS_DAYS = 7;
export const MAX_STATS_DAYS = 366;

const STATUS_ORDER: AppointmentStatus[] = ['CONFIRMED', 'COMPLETED', 'NO_SHOW', 'CANCELLED', 'HELD', 'EXPIRED'];

function countBy<K extends string>(items: Appointment[], key: (a: Appointment) => K): Map<K, number> {
  const counts = new Map<K, number>();
  for (const item of items) counts.set(key(item), (counts.get(key(item)) ?? 0) + 1);
  return counts;
}

function joined(entries: [string, number][]): string {
  return entries.length === 0 ? 'none' : entries.map(([label, count]) => `${label} ${count}`).join(' · ');
}

export const statsCommand: AdminCommand = {
  name: 'stats',
  usage: '[days]',
  description: `Bookings by status, channel and doctor, and revenue (default last ${DEFAULT_STATS_DAYS} days)`,
  async run(context) {
    let days = DEFAULT_STATS_DAYS;
    if (context.args) {
      if (!/^\d{1,4}$/.test(context.args) || Number(context.args) < 1 || Number(context.args) > MAX_STATS_DAYS) {
        throw new AdminUsageError(`Give a number of days from 1 to ${MAX_STATS_DAYS}, e.g. /stats 30.`);
      }
      days = Number(context.args);
    }
    const { store, clinic } = context.deps;
    const { now } = context.request;
    const since = new Date(now.getTime() - days * 24 * 60 * 60_000);
    const sinceIso = since.toISOString();
    // An appointment is never dated before the day it was booked, so the date filter only narrows.
    const candidates = await store.listAppointments({ fromDate: clinicDate(since, clinic.timezone) });
    const made = candidates.filter((a) => a.createdAt >= sinceIso);
    // Holds that lapsed were never bookings; they are counted apart.
    const bookings = made.filter((a) => a.status !== 'EXPIRED');
    const lapsedHolds = made.length - bookings.length;

    const byStatus = countBy(bookings, (a) => a.status);
    const statusLine = joined(STATUS_ORDER.filter((s) => byStatus.has(s)).map((s) => [statusLabel(s), byStatus.get(s)!]));
    const channelLine = joined([...countBy(bookings, (a) => a.conversation.channel)].map(([c, n]) => [channelLabel(c), n]));
    const doctorLine = joined([...countBy(bookings, (a) => a.doctorName)].sort((a, b) => b[1] - a[1]));

    // A lapsed hold keeps no payment: one paid too late is a refund due, counted below.
    const paid = bookings.filter((a) => a.paymentStatus === 'PAID');
    const online = paid.filter((a) => a.paymentMode === 'ONLINE');
    const atClinic = paid.filter((a) => a.paymentMode !== 'ONLINE');
    const money = (list: Appointment[]) => formatMoney(list.reduce((sum, a) => sum + a.fee, 0), clinic.currency);
    const refundsDue = made.filter((a) => a.paymentStatus === 'REFUND_DUE');

    const lines = [
      `Bookings: ${bookings.length}`,
      `By status: ${statusLine}`,
      `By channel: ${channelLine}`,
      `By doctor: ${doctorLine}`,
      `Paid for these bookings: online ${money(online)} (${online.length}) · at the clinic ${money(atClinic)} (${atClinic.length}) · total ${money(paid)}`,
      ...(lapsedHolds > 0 ? [`Times held but never confirmed (not counted above): ${lapsedHolds}`] : []),
      ...(refundsDue.length > 0 ? [`Refunds due: ${refundsDue.length}, ${money(refundsDue)} (see /refunds)`] : []),
    ];
    return {
      replies: pagedText(`Bookings made in the last ${days} day${days === 1 ? '' : 's'} (since ${formatDate(clinicDate(since, clinic.timezone))}):`, lines),
      summary: `${days} days: ${bookings.length} bookings`,
    };
  },
};
