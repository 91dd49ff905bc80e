/**
 * Doctors and their slots: /doctors, /slots, /block and /unblock (one slot, or a doctor's whole day).
 */
import type { Appointment, Doctor, Slot, SlotStatus } from '../../domain.js';
import { formatMoney } from '../../flow/describe.js';
import { formatDate, formatTime } from '../../slots.js';
import { words } from '../commandLine.js';
import { parseAdminDate } from '../dates.js';
import { AdminCommandError, AdminUsageError } from '../errors.js';
import { appointmentLine, pagedText } from '../format.js';
import { matchDoctor, requireDoctor } from '../lookups.js';
import { clinicToday, lineOptions, requireDate, type AdminCommand, type CommandContext, type CommandResult } from './types.js';

/** Most words a typed date takes at the end of a command ("next friday"). */
const DATE_WORDS = 3;
const DATE_LIKE = /^[\d]+[/.-][\d/.-]*$/;

/** The doctor and the date a "<doctor> [date]" names; `date` is undefined when none was typed. */
interface DoctorDay {
  doctor: Doctor;
  date: string | undefined;
}

/**
 * Reads "<doctor> [date]", trying the longest date at the end first. Without one, the whole text is
 * the doctor; but when all but its last word names a doctor and the whole text does not (or only by
 * a guess at a typo: "verma banana"), or the last word looks like a date but is not one (31/02), the
 * last word is said to be no date.
 */
async function doctorAndDate(context: CommandContext): Promise<DoctorDay> {
  const parts = words(context.args);
  const { now } = context.request;
  if (parts.length === 0) throw new AdminUsageError('Say which doctor: an id from /doctors, part of the name, or the specialty.');
  const doctors = await context.deps.store.listDoctors({ includeInactive: true });
  for (let count = Math.min(DATE_WORDS, parts.length - 1); count >= 1; count -= 1) {
    const date = parseAdminDate(parts.slice(-count).join(' '), now, context.deps.clinic.timezone);
    if (date) return { doctor: requireDoctor(parts.slice(0, -count).join(' '), doctors), date };
  }
  const last = parts[parts.length - 1]!;
  if (parts.length > 1) {
    if (DATE_LIKE.test(last)) requireDate(context, last);
    const whole = matchDoctor(parts.join(' '), doctors);
    const wholeIsDoctor = whole.kind !== 'none' && !whole.guessed;
    if (!wholeIsDoctor && matchDoctor(parts.slice(0, -1).join(' '), doctors).kind !== 'none') requireDate(context, last);
  }
  return { doctor: requireDoctor(parts.join(' '), doctors), date: undefined };
}

function slotTimes(slot: Slot): string {
  return `${formatTime(slot.start)}–${formatTime(slot.end)}`;
}

export const doctorsCommand: AdminCommand = {
  name: 'doctors',
  usage: '',
  description: 'Doctors with their ids, specialty, fee and whether they take bookings',
  async run(context) {
    if (context.args) throw new AdminUsageError('/doctors takes nothing after it.');
    const doctors = await context.deps.store.listDoctors({ includeInactive: true });
    if (doctors.length === 0) return { replies: pagedText('No doctors yet.', []), summary: 'none' };
    const { currency } = context.deps.clinic;
    const lines = doctors.map(
      (d) => `${d.id} · ${d.name} · ${d.specialty} · ${formatMoney(d.fee, currency)}${d.active ? '' : ' · inactive (not bookable)'}`,
    );
    return { replies: pagedText(`${doctors.length} doctor${doctors.length === 1 ? '' : 's'}:`, lines), summary: `${doctors.length} listed` };
  },
};

export const slotsCommand: AdminCommand = {
  name: 'slots',
  usage: '<doctor> [date]',
  description: "A doctor's slots of a day with places taken and status",
  async run(context) {
    const { doctor, date: typed } = await doctorAndDate(context);
    const date = typed ?? clinicToday(context);
    const usages = await context.deps.store.listSlotUsage({ doctorId: doctor.id, fromDate: date, toDate: date, now: context.request.now });
    const title = `${doctor.name} (${doctor.id}) on ${formatDate(date)}`;
    if (usages.length === 0) return { replies: pagedText(`${title}: no slots.`, []), summary: `${doctor.id} ${date}: none` };
    const lines = usages.map(({ slot, taken }) => `${slotTimes(slot)} · ${slot.id} · ${taken}/${slot.capacity} taken · ${slot.status}`);
    return { replies: pagedText(`${title}, ${usages.length} slots:`, lines), summary: `${doctor.id} ${date}: ${usages.length} slots` };
  },
};

/** Patients still booked in the given slots (confirmed, or holding a place right now). */
async function bookedIn(context: CommandContext, slots: Slot[]): Promise<Appointment[]> {
  const ids = new Set(slots.map((s) => s.id));
  const dates = slots.map((s) => s.date).sort();
  const nowIso = context.request.now.toISOString();
  const appointments = await context.deps.store.listAppointments({
    statuses: ['CONFIRMED', 'HELD'],
    fromDate: dates[0],
    toDate: dates[dates.length - 1],
  });
  return appointments
    .filter((a) => ids.has(a.slotId) && (a.status === 'CONFIRMED' || (a.holdExpiresAt !== null && a.holdExpiresAt > nowIso)))
    .sort((a, b) => a.date.localeCompare(b.date) || a.time.localeCompare(b.time));
}

/** The slots a /block or /unblock names: one slot by id, or every slot of a doctor on a date. */
async function targetSlots(context: CommandContext): Promise<{ slots: Slot[]; what: string }> {
  const { store } = context.deps;
  const parts = words(context.args);
  if (parts.length === 1) {
    const slot = await store.getSlot(parts[0]!);
    if (slot) return { slots: [slot], what: `slot ${slot.id} (${formatDate(slot.date)}, ${slotTimes(slot)})` };
  }
  if (parts.length === 1) throw new AdminUsageError(`No slot with id "${parts[0]!.slice(0, 40)}". Give a slot id from /slots, or a doctor and a date.`);
  const { doctor, date } = await doctorAndDate(context);
  if (!date) throw new AdminUsageError(`Say which day of ${doctor.name} (the whole day is changed), e.g. today or 21/11.`);
  const usages = await store.listSlotUsage({ doctorId: doctor.id, fromDate: date, toDate: date, now: context.request.now });
  if (usages.length === 0) throw new AdminCommandError(`${doctor.name} has no slots on ${formatDate(date)}; nothing was changed.`);
  return { slots: usages.map((u) => u.slot), what: `${usages.length} slots of ${doctor.name} on ${formatDate(date)}` };
}

async function setSlotStatus(context: CommandContext, status: SlotStatus): Promise<CommandResult> {
  if (!context.args) throw new AdminUsageError('Give a slot id, or a doctor and a date (the whole day).');
  const { slots, what } = await targetSlots(context);
  const toChange = slots.filter((s) => s.status !== status);
  const unchanged = slots.length - toChange.length;
  await context.deps.store.upsertSlots(toChange.map((s) => ({ ...s, status })));
  const verb = status === 'BLOCKED' ? 'Blocked' : 'Opened';
  const state = status === 'BLOCKED' ? 'blocked' : 'open';
  const ids = slots.map((s) => s.id).join(',').slice(0, 120);
  let lines: string[];
  let summary: string;
  if (toChange.length === 0) {
    // Nothing to do is said as such: "Blocked 9 slots" would claim a change that did not happen.
    lines = [`Nothing changed: ${slots.length === 1 ? what : `all ${what}`} ${slots.length === 1 ? 'was' : 'were'} already ${state}.`];
    summary = `already ${state}, unchanged: ${ids}`;
  } else {
    lines = [`${verb} ${what}.${unchanged > 0 ? ` (${unchanged} ${unchanged === 1 ? 'was' : 'were'} already ${state}.)` : ''}`];
    summary = `${verb.toLowerCase()} ${ids}`;
  }
  if (status === 'BLOCKED') {
    if (toChange.length > 0) lines[0] += ' New bookings there are refused.';
    const booked = await bookedIn(context, slots);
    if (booked.length > 0) {
      lines.push(
        '',
        `⚠️ ${booked.length} patient${booked.length === 1 ? ' is' : 's are'} still booked there (the block does not cancel them). Call them, or cancel with /cancel <id> <reason>:`,
        ...booked.map((a) => appointmentLine(a, lineOptions(context, { withDate: slots.length > 1 && new Set(slots.map((s) => s.date)).size > 1 }))),
      );
      summary += `; ${booked.length} booked listed`;
    }
  }
  return { replies: pagedText(lines[0]!, lines.slice(1)), summary };
}

export const blockCommand: AdminCommand = {
  name: 'block',
  usage: '<slot id> | <doctor> <date>',
  description: "Stop bookings for a slot or a doctor's whole day (booked patients are listed)",
  run: (context) => setSlotStatus(context, 'BLOCKED'),
};

export const unblockCommand: AdminCommand = {
  name: 'unblock',
  usage: '<slot id> | <doctor> <date>',
  description: "Open a slot or a doctor's whole day for bookings again",
  run: (context) => setSlotStatus(context, 'OPEN'),
};
