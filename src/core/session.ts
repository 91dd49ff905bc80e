/**
 * Conversation state of one chat. It is plain JSON so any SessionStore can persist it as it is.
 */
import type { Gender } from './domain.js';
import type { MenuOption } from './messages.js';

/** Steps of the conversation. The booking states follow the clinic's original design. */
export const FLOW_STATES = [
  'IDLE',
  'CONFIRMING_RETURNING_PATIENT',
  'AWAITING_NAME',
  'AWAITING_PHONE',
  'AWAITING_AGE',
  'AWAITING_GENDER',
  'AWAITING_PURPOSE',
  'SELECTING_DOCTOR',
  'SELECTING_SLOT',
  'SELECTING_PAYMENT_MODE',
  'AWAITING_PAYMENT',
  'AWAITING_REPORT_CHOICE',
  'AWAITING_REPORT_UPLOAD',
  'SELECTING_APPOINTMENT_TO_CANCEL',
  'CONFIRMING_CANCELLATION',
  'SELECTING_APPOINTMENT_FOR_REPORT',
  'SELECTING_APPOINTMENT_FOR_INVOICE',
  'ANSWERING_REMINDER',
  'SELECTING_APPOINTMENT_TO_RESCHEDULE',
  'SELECTING_NEW_SLOT',
] as const;

export type FlowState = (typeof FLOW_STATES)[number];

/** What the patient has answered so far in the current booking. */
export interface BookingDraft {
  name?: string;
  phone?: string;
  age?: number;
  gender?: Gender;
  purpose?: string;
  /** Optional filter from intent detection, e.g. "Dermatology". */
  specialty?: string;
  /** Doctor the patient named in free text ("book Dr Rajiv"); used once, when the doctor is chosen. */
  wishedDoctorId?: string;
  /** Clinic-local date the patient asked for, `YYYY-MM-DD`. */
  wishedDate?: string;
  /** Clinic-local time the patient asked for, `HH:mm`. */
  wishedTime?: string;
  /** Part of the day the patient asked for. */
  wishedTimeOfDay?: 'morning' | 'afternoon' | 'evening';
  /** The patient asked for the earliest free time ("asap"). */
  wishedEarliest?: boolean;
  doctorId?: string;
  /** Index of the page of slots shown. */
  slotPage?: number;
  /** The HELD (then CONFIRMED) appointment of this booking. */
  appointmentId?: string;
}

export interface Session {
  state: FlowState;
  /** States visited in this flow, for "back". */
  history: FlowState[];
  draft: BookingDraft;
  /** Options of the last menu shown, so typed numbers and labels mean what the patient saw. */
  menu: MenuOption[];
  /** Appointment a post-booking step (report upload, cancellation) is about. */
  targetAppointmentId?: string;
  /** Recent platform message ids, to drop duplicate deliveries. */
  recentMessageIds: string[];
  /** ISO instant of the last change; idle sessions expire after SESSION_TTL_HOURS. */
  updatedAt: string;
}

export function newSession(now: Date): Session {
  return { state: 'IDLE', history: [], draft: {}, menu: [], recentMessageIds: [], updatedAt: now.toISOString() };
}
