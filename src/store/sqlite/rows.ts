/**
 * Translation between SQLite rows and domain objects, kept apart so the store reads as queries only.
 * JSON columns are parsed defensively: a hand-edited or damaged value degrades to an empty list
 * instead of breaking every read of the appointment.
 */
import type {
  Appointment,
  AppointmentStatus,
  Doctor,
  Gender,
  PaymentMode,
  PaymentStatus,
  ReportRef,
  Slot,
  SlotStatus,
} from '../../core/domain.js';
import type { Channel } from '../../core/messages.js';

/** A row of `doctors`. */
export interface DoctorRow {
  id: string;
  name: string;
  specialty: string;
  fee: number;
  active: number;
  languages: string;
  notes: string;
}

/** A row of `slots`. */
export interface SlotRow {
  id: string;
  doctor_id: string;
  date: string;
  start: string;
  end: string;
  capacity: number;
  status: string;
  notes: string;
}

/** A row of `appointments`. */
export interface AppointmentRow {
  id: string;
  created_at: string;
  updated_at: string;
  status: string;
  channel: string;
  chat_id: string;
  patient_name: string;
  phone: string;
  age: number;
  gender: string;
  purpose: string;
  doctor_id: string;
  doctor_name: string;
  slot_id: string;
  date: string;
  time: string;
  fee: number;
  payment_mode: string | null;
  payment_status: string | null;
  payment_link: string | null;
  payment_id: string | null;
  invoice_no: string | null;
  reports: string;
  hold_expires_at: string | null;
  reminders_sent: string;
  notes: string;
  patient_confirmed_at: string | null;
  rescheduled_at: string | null;
  confirmed_at: string | null;
}

/** Builds a {@link Doctor} from its row. */
export function toDoctor(row: DoctorRow): Doctor {
  return {
    id: row.id,
    name: row.name,
    specialty: row.specialty,
    fee: row.fee,
    active: row.active !== 0,
    languages: parseStringArray(row.languages),
    notes: row.notes,
  };
}

/** Named parameters for writing a {@link Doctor}. */
export function doctorParams(doctor: Doctor): DoctorRow {
  return {
    id: doctor.id,
    name: doctor.name,
    specialty: doctor.specialty,
    fee: doctor.fee,
    active: doctor.active ? 1 : 0,
    languages: JSON.stringify(doctor.languages),
    notes: doctor.notes,
  };
}

/** Builds a {@link Slot} from its row. */
export function toSlot(row: SlotRow): Slot {
  return {
    id: row.id,
    doctorId: row.doctor_id,
    date: row.date,
    start: row.start,
    end: row.end,
    capacity: row.capacity,
    status: row.status as SlotStatus,
    notes: row.notes,
  };
}

/** Named parameters for writing a {@link Slot}. */
export function slotParams(slot: Slot): SlotRow {
  return {
    id: slot.id,
    doctor_id: slot.doctorId,
    date: slot.date,
    start: slot.start,
    end: slot.end,
    capacity: slot.capacity,
    status: slot.status,
    notes: slot.notes,
  };
}

/** Builds an {@link Appointment} from its row. */
export function toAppointment(row: AppointmentRow): Appointment {
  return {
    id: row.id,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    status: row.status as AppointmentStatus,
    conversation: { channel: row.channel as Channel, chatId: row.chat_id },
    patient: { name: row.patient_name, phone: row.phone, age: row.age, gender: row.gender as Gender },
    purpose: row.purpose,
    doctorId: row.doctor_id,
    doctorName: row.doctor_name,
    slotId: row.slot_id,
    date: row.date,
    time: row.time,
    fee: row.fee,
    paymentMode: row.payment_mode as PaymentMode | null,
    paymentStatus: row.payment_status as PaymentStatus | null,
    paymentLink: row.payment_link,
    paymentId: row.payment_id,
    invoiceNo: row.invoice_no,
    reports: parseReports(row.reports),
    holdExpiresAt: row.hold_expires_at,
    remindersSent: parseStringArray(row.reminders_sent),
    notes: row.notes,
    ...(row.patient_confirmed_at ? { patientConfirmedAt: row.patient_confirmed_at } : {}),
    ...(row.rescheduled_at ? { rescheduledAt: row.rescheduled_at } : {}),
    ...(row.confirmed_at ? { confirmedAt: row.confirmed_at } : {}),
  };
}

/** Named parameters for writing a whole {@link Appointment}. */
export function appointmentParams(appointment: Appointment): AppointmentRow {
  return {
    id: appointment.id,
    created_at: appointment.createdAt,
    updated_at: appointment.updatedAt,
    status: appointment.status,
    channel: appointment.conversation.channel,
    chat_id: appointment.conversation.chatId,
    patient_name: appointment.patient.name,
    phone: appointment.patient.phone,
    age: appointment.patient.age,
    gender: appointment.patient.gender,
    purpose: appointment.purpose,
    doctor_id: appointment.doctorId,
    doctor_name: appointment.doctorName,
    slot_id: appointment.slotId,
    date: appointment.date,
    time: appointment.time,
    fee: appointment.fee,
    payment_mode: appointment.paymentMode,
    payment_status: appointment.paymentStatus,
    payment_link: appointment.paymentLink,
    payment_id: appointment.paymentId,
    invoice_no: appointment.invoiceNo,
    reports: JSON.stringify(appointment.reports),
    hold_expires_at: appointment.holdExpiresAt === null ? null : toIsoInstant(appointment.holdExpiresAt),
    reminders_sent: JSON.stringify(appointment.remindersSent),
    notes: appointment.notes,
    patient_confirmed_at: appointment.patientConfirmedAt ? toIsoInstant(appointment.patientConfirmedAt) : null,
    rescheduled_at: appointment.rescheduledAt ? toIsoInstant(appointment.rescheduledAt) : null,
    confirmed_at: appointment.confirmedAt ? toIsoInstant(appointment.confirmedAt) : null,
  };
}

/**
 * Normalises an instant to `Date#toISOString` form. Holds are compared as text in SQL, which is only
 * correct when every stored instant has exactly this shape.
 */
export function toIsoInstant(value: string | Date): string {
  const date = typeof value === 'string' ? new Date(value) : value;
  if (Number.isNaN(date.getTime())) throw new RangeError(`Not a valid instant: ${String(value)}`);
  return date.toISOString();
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function parseStringArray(text: string): string[] {
  const value = parseJson(text);
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
}

function parseReports(text: string): ReportRef[] {
  const value = parseJson(text);
  if (!Array.isArray(value)) return [];
  return value.filter(isReportRef);
}

function isReportRef(value: unknown): value is ReportRef {
  if (typeof value !== 'object' || value === null) return false;
  const record = value as Record<string, unknown>;
  return (
    typeof record.id === 'string' &&
    typeof record.path === 'string' &&
    typeof record.mime === 'string' &&
    typeof record.size === 'number' &&
    typeof record.receivedAt === 'string'
  );
}
