/**
 * Clinic data as the core understands it, independent of where it is stored (SQLite or Google Sheets).
 * Dates are clinic wall-clock dates `YYYY-MM-DD`, times are `HH:mm` (24 h) in the clinic's time zone;
 * instants (createdAt, holdExpiresAt, …) are ISO-8601 strings in UTC.
 */
import type { ConversationRef } from './messages.js';

export interface Doctor {
  id: string;
  name: string;
  specialty: string;
  /** Consultation fee in the clinic's currency (major units, e.g. rupees). */
  fee: number;
  active: boolean;
  languages: string[];
  notes: string;
}

export type SlotStatus = 'OPEN' | 'BLOCKED';

export interface Slot {
  id: string;
  doctorId: string;
  /** Clinic-local date, `YYYY-MM-DD`. */
  date: string;
  /** Clinic-local start time, `HH:mm`. */
  start: string;
  /** Clinic-local end time, `HH:mm`. */
  end: string;
  /** How many patients the slot takes (default 1). */
  capacity: number;
  status: SlotStatus;
  notes: string;
}

/** A slot together with how many places are taken by live holds and appointments at a given instant. */
export interface SlotUsage {
  slot: Slot;
  taken: number;
}

export type AppointmentStatus = 'HELD' | 'CONFIRMED' | 'COMPLETED' | 'NO_SHOW' | 'CANCELLED' | 'EXPIRED';
export type PaymentMode = 'CLINIC' | 'ONLINE';
export type PaymentStatus = 'PAY_AT_CLINIC' | 'PENDING' | 'PAID' | 'REFUND_DUE' | 'REFUNDED';
export type Gender = 'MALE' | 'FEMALE' | 'OTHER' | 'UNDISCLOSED';

/** Statuses that occupy a place in a slot (a HELD one only until its hold expires). */
export const CAPACITY_STATUSES: readonly AppointmentStatus[] = ['HELD', 'CONFIRMED', 'COMPLETED', 'NO_SHOW'];

export interface PatientDetails {
  name: string;
  /** E.164. */
  phone: string;
  age: number;
  gender: Gender;
}

/** A private file a patient sent for an appointment; never served publicly. */
export interface ReportRef {
  id: string;
  /** Path relative to the private report directory. */
  path: string;
  mime: string;
  size: number;
  receivedAt: string;
}

export interface Appointment {
  id: string;
  createdAt: string;
  updatedAt: string;
  status: AppointmentStatus;
  /** How to reach the patient later. */
  conversation: ConversationRef;
  patient: PatientDetails;
  purpose: string;
  doctorId: string;
  doctorName: string;
  slotId: string;
  date: string;
  /** Slot start, `HH:mm`. */
  time: string;
  fee: number;
  paymentMode: PaymentMode | null;
  paymentStatus: PaymentStatus | null;
  paymentLink: string | null;
  paymentId: string | null;
  invoiceNo: string | null;
  reports: ReportRef[];
  /** Instant a HELD appointment stops counting against the slot. */
  holdExpiresAt: string | null;
  /** Reminder offsets already sent (e.g. "24h"), so restarts never send one twice. */
  remindersSent: string[];
  notes: string;
  /** Instant the patient confirmed they will come (the Confirm button of a reminder); absent until then. */
  patientConfirmedAt?: string;
  /**
   * Instant the appointment became CONFIRMED (paid online, pay at the clinic, marked paid); absent
   * for appointments created confirmed (typed into the sheet by staff). Reminders are armed from it.
   */
  confirmedAt?: string;
  /**
   * Instant the appointment last moved to another slot; absent if it never moved. Reminders are
   * armed from the latest of this, confirmedAt and createdAt, so a reminder time before it is never
   * sent late.
   */
  rescheduledAt?: string;
}

/** What the flow knows when it places a hold. */
export interface NewHold {
  conversation: ConversationRef;
  patient: PatientDetails;
  purpose: string;
  slotId: string;
  holdExpiresAt: Date;
}

/** Fields that may change after an appointment is created. */
export type AppointmentPatch = Partial<
  Pick<
    Appointment,
    | 'status'
    | 'paymentMode'
    | 'paymentStatus'
    | 'paymentLink'
    | 'paymentId'
    | 'invoiceNo'
    | 'holdExpiresAt'
    | 'remindersSent'
    | 'notes'
    | 'patientConfirmedAt'
  >
>;
