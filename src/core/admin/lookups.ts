/**
 * Finding what an admin names: an appointment id, a doctor by id, name or specialty, a patient by
 * phone or name.
 */
import Fuse from 'fuse.js';
import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js';
import type { Appointment, Doctor } from '../domain.js';
import type { ClinicStore } from '../ports.js';
import { comparable, toAsciiDigits } from '../text.js';
import { AdminCommandError, AdminUsageError } from './errors.js';

/** Appointment ids the store hands out (APT-7K3Q9XMD) or staff type in a sheet for walk-ins. */
const APPOINTMENT_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

/** The appointment with the id an admin typed (case does not matter), or a clear error. */
export async function requireAppointment(store: ClinicStore, typed: string | undefined): Promise<Appointment> {
  if (!typed) throw new AdminUsageError('Give the appointment id, e.g. APT-7K3Q9XMD.');
  if (!APPOINTMENT_ID.test(typed)) throw new AdminUsageError(`"${typed.slice(0, 40)}" is not an appointment id (like APT-7K3Q9XMD).`);
  const appointment = (await store.getAppointment(typed)) ?? (await store.getAppointment(typed.toUpperCase()));
  if (!appointment) throw new AdminCommandError(`No appointment ${typed}. Find it with /find <phone or name>.`);
  return appointment;
}

/**
 * What a doctor name, id or specialty turned up; `guessed` when only by closeness of the name (a
 * typo), not because the text is part of it.
 */
export type DoctorMatch =
  | { kind: 'found'; doctor: Doctor; guessed: boolean }
  | { kind: 'ambiguous'; doctors: Doctor[]; guessed: boolean }
  | { kind: 'none' };

/** Titles people type in front of a name that say nothing about which doctor is meant. */
const TITLE = /^(?:dr|doctor|dr\.)\s+/;

/** "General Physician" → "gp": what staff call a specialty by its initials. */
function initials(text: string): string {
  return comparable(text)
    .split(' ')
    .map((word) => word[0] ?? '')
    .join('');
}

/**
 * The doctor an admin means by `typed`, trying in turn: the id (any case); a part of the name
 * ("meera", "dr iyer"); a part of the id ("gp" for SAMPLE-GP) or the specialty ("derm", "general",
 * "gp" for General Physician); failing all that, the closest name (typos like "meara"). A step that
 * finds several doctors stops there, so they are listed rather than one guessed.
 */
export function matchDoctor(typed: string, doctors: Doctor[]): DoctorMatch {
  const wanted = comparable(typed).replace(TITLE, '');
  if (!wanted) return { kind: 'none' };
  const byId = doctors.find((d) => d.id.toLowerCase() === typed.trim().toLowerCase());
  if (byId) return { kind: 'found', doctor: byId, guessed: false };
  const byName = doctors.filter((d) => comparable(d.name).replace(TITLE, '').includes(wanted));
  const byIdOrSpecialty = doctors.filter(
    (d) => comparable(d.id).includes(wanted) || comparable(d.specialty).includes(wanted) || initials(d.specialty) === wanted,
  );
  for (const step of [byName, byIdOrSpecialty]) {
    if (step.length === 1) return { kind: 'found', doctor: step[0]!, guessed: false };
    if (step.length > 1) return { kind: 'ambiguous', doctors: step, guessed: false };
  }
  const fuzzy = new Fuse(doctors, { keys: ['name'], threshold: 0.4, ignoreLocation: true, includeScore: true }).search(wanted);
  const [best, second] = fuzzy;
  if (!best) return { kind: 'none' };
  // Only a clear winner is taken; two similar names are listed rather than guessed.
  if (second && (second.score ?? 1) - (best.score ?? 0) < 0.1) return { kind: 'ambiguous', doctors: fuzzy.slice(0, 5).map((r) => r.item), guessed: true };
  return { kind: 'found', doctor: best.item, guessed: true };
}

/** The doctor of `doctors` named by `typed`, or an error listing the candidates. */
export function requireDoctor(typed: string, doctors: Doctor[]): Doctor {
  const match = matchDoctor(typed, doctors);
  if (match.kind === 'found') return match.doctor;
  if (match.kind === 'ambiguous') {
    throw new AdminCommandError(
      `"${typed.slice(0, 40)}" matches several doctors: ${match.doctors.map((d) => `${d.name} (${d.id})`).join(', ')}. Use the id.`,
    );
  }
  throw new AdminCommandError(`No doctor matches "${typed.slice(0, 40)}". See /doctors for names and ids.`);
}

/** How a /find query is read. */
export type PatientQuery =
  | { kind: 'phone'; phone: string }
  | { kind: 'digits'; digits: string }
  | { kind: 'id'; id: string }
  | { kind: 'name'; name: string };

/** Reads a /find query: a full phone number, a few digits of one, an appointment id, or a name. */
export function readPatientQuery(typed: string, region: CountryCode): PatientQuery {
  const text = toAsciiDigits(typed.trim());
  if (/^APT-[A-Z0-9]+$/i.test(text)) return { kind: 'id', id: text.toUpperCase() };
  const digits = text.replace(/\D/g, '');
  if (/^[+\d\s().-]+$/.test(text) && digits.length > 0) {
    const phone = parsePhoneNumberFromString(text, region);
    if (phone?.isValid()) return { kind: 'phone', phone: phone.number };
    return { kind: 'digits', digits };
  }
  return { kind: 'name', name: text };
}

/** Appointments whose patient name contains the query, or failing that is close to it (typos). */
export function matchPatientName(name: string, appointments: Appointment[]): Appointment[] {
  const wanted = comparable(name);
  if (!wanted) return [];
  const contained = appointments.filter((a) => comparable(a.patient.name).includes(wanted));
  if (contained.length > 0) return contained;
  return new Fuse(appointments, { keys: ['patient.name'], threshold: 0.34, ignoreLocation: true })
    .search(wanted)
    .map((result) => result.item);
}
