/**
 * Looking at the clinic's day and finding patients: /today, /appointments [date], /find.
 */
import type { Appointment } from '../../domain.js';
import { clinicDate, formatDate } from '../../slots.js';
import { words } from '../commandLine.js';
import { AdminUsageError } from '../errors.js';
import { appointmentLine, pagedText } from '../format.js';
import { matchPatientName, readPatientQuery } from '../lookups.js';
import { clinicToday, lineOptions, requireDate, type AdminCommand, type CommandContext, type CommandResult } from './types.js';

/** Days back a name search looks (phone searches look at everything). */
const NAME_SEARCH_DAYS = 400;
/** Most appointments /find shows. */
const FIND_LIMIT = 30;

function byTime(a: Appointment, b: Appointment): number {
  return a.date.localeCompare(b.date) || a.time.localeCompare(b.time) || a.id.localeCompare(b.id);
}

/** The day's appointments (lapsed holds left out), per doctor and in time order. */
async function agenda(context: CommandContext, date: string): Promise<CommandResult> {
  const all = await context.deps.store.listAppointments({ fromDate: date, toDate: date });
  const appointments = all.filter((a) => a.date === date && a.status !== 'EXPIRED').sort(byTime);
  const title = `Appointments on ${formatDate(date)}`;
  if (appointments.length === 0) return { replies: pagedText(`${title}: none.`, []), summary: `${date}: none` };

  const perDoctor = new Map<string, Appointment[]>();
  for (const appointment of appointments) {
    const key = `${appointment.doctorName} (${appointment.doctorId})`;
    perDoctor.set(key, [...(perDoctor.get(key) ?? []), appointment]);
  }
  const lines: string[] = [];
  for (const [doctor, list] of [...perDoctor].sort(([a], [b]) => a.localeCompare(b))) {
    const active = list.filter((a) => a.status !== 'CANCELLED').length;
    lines.push('', `${doctor}: ${active} booked${active === list.length ? '' : `, ${list.length - active} cancelled`}`);
    for (const appointment of list) lines.push(`  ${appointmentLine(appointment, lineOptions(context))}`);
  }
  return {
    replies: pagedText(`${title} (${appointments.length}):`, lines, 'Use /slots <doctor> <date> or /find to narrow it.'),
    summary: `${date}: ${appointments.length} listed`,
  };
}

export const todayCommand: AdminCommand = {
  name: 'today',
  usage: '',
  description: "Today's appointments per doctor",
  async run(context) {
    if (context.args) throw new AdminUsageError('/today takes nothing after it; for another day use /appointments <date>.');
    return agenda(context, clinicToday(context));
  },
};

export const appointmentsCommand: AdminCommand = {
  name: 'appointments',
  usage: '[date]',
  description: 'Appointments of a day per doctor (today, tomorrow, 21/11, 2026-11-21)',
  async run(context) {
    return agenda(context, context.args ? requireDate(context, context.args) : clinicToday(context));
  },
};

export const findCommand: AdminCommand = {
  name: 'find',
  usage: '<phone or name>',
  description: "A patient's appointments by phone (any format), part of the phone, or name",
  async run(context) {
    const typed = context.args;
    if (!typed) throw new AdminUsageError('Say whom to find: a phone number or a name.');
    if (words(typed).join('').length < 2) throw new AdminUsageError('Type at least 2 letters or digits.');
    const { store, phoneRegion } = context.deps;
    const query = readPatientQuery(typed, phoneRegion);
    let found: Appointment[];
    switch (query.kind) {
      case 'id': {
        const appointment = await store.getAppointment(query.id);
        found = appointment ? [appointment] : [];
        break;
      }
      case 'phone':
        found = await store.listAppointments({ phone: query.phone });
        break;
      case 'digits': {
        if (query.digits.length < 4) throw new AdminUsageError('Type at least 4 digits of the phone number.');
        const all = await store.listAppointments({});
        found = all.filter((a) => a.patient.phone.replace(/\D/g, '').includes(query.digits));
        break;
      }
      case 'name': {
        const fromDate = clinicDate(context.request.now, context.deps.clinic.timezone, -NAME_SEARCH_DAYS);
        const recent = await store.listAppointments({ fromDate });
        found = matchPatientName(query.name, recent);
        break;
      }
    }
    // Abandoned holds are noise when looking for a patient.
    const shown = found.filter((a) => a.status !== 'EXPIRED').sort((a, b) => byTime(b, a));
    if (shown.length === 0) return { replies: pagedText('No appointments match.', []), summary: 'no match' };
    const lines = shown.slice(0, FIND_LIMIT).map((a) => appointmentLine(a, lineOptions(context, { withDate: true, withDoctor: true })));
    const more = shown.length - FIND_LIMIT;
    if (more > 0) lines.push(`… and ${more} older. Type more of the name or the full phone number.`);
    return {
      replies: pagedText(`${shown.length} appointment${shown.length === 1 ? '' : 's'} found (newest first):`, lines),
      summary: `${shown.length} found`,
    };
  },
};
