/**
 * What must hold after any input: a clear answer, a conversation in a valid state, and clinic data
 * with nothing half-written (no invalid appointment, no slot over capacity, no report file that no
 * appointment owns or that is not really a PDF, JPG or PNG).
 */
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { CAPACITY_STATUSES, type Appointment } from '../../../src/core/domain.js';
import { detectReportType } from '../../../src/core/reportFile.js';
import { FLOW_STATES, type BookingDraft, type FlowState } from '../../../src/core/session.js';
import { AGE_MAX, validateName, validatePhone, validatePurpose } from '../../../src/core/validation.js';
import type { ClinicStore } from '../../../src/core/ports.js';
import type { CorpusStep, HostilePayload } from '../../fixtures/hostile-inputs.js';
import type { ConversationSnapshot, DriverOutcome, DriverWorld } from './channelDriver.js';

/** Things that only a crash or a programming slip would put in front of a patient. */
const LEAK_PATTERNS: RegExp[] = [
  /\bat [\w.<>$]+ \(?[^\s()]+:\d+:\d+\)?/,
  /\b(?:Type|Reference|Range|Syntax|Sqlite|Zod)Error\b/,
  /\bSQLITE_[A-Z]+/,
  /\bE(?:NOENT|ACCES|ISDIR|EXIST)\b/,
  /\[object \w+\]/,
  /\bundefined\b/,
  /\bnull\b/,
  /\bNaN\b/,
  /node_modules|\/src\/\S+\.ts/,
];

/** Characters that must never come back to a patient, whatever they sent. */
const NEVER_ECHOED = /[\u0000\u0007\u001b\u202e]/;

/** Telegram's limit for one message; the web page has none, but a patient should not scroll forever. */
const MAX_REPLY_LENGTH = 4096;

/** The states a conversation at `step` may be in after one message (a command, back, or moving on). */
const ALLOWED_AFTER: Record<CorpusStep, readonly FlowState[]> = {
  IDLE: ['IDLE', 'AWAITING_NAME', 'CONFIRMING_RETURNING_PATIENT', 'SELECTING_DOCTOR', 'SELECTING_APPOINTMENT_TO_CANCEL', 'SELECTING_APPOINTMENT_FOR_REPORT', 'SELECTING_APPOINTMENT_TO_RESCHEDULE', 'SELECTING_APPOINTMENT_FOR_INVOICE', 'AWAITING_REPORT_UPLOAD', 'ANSWERING_REMINDER'],
  AWAITING_NAME: ['AWAITING_NAME', 'AWAITING_PHONE', 'IDLE'],
  AWAITING_PHONE: ['AWAITING_PHONE', 'AWAITING_AGE', 'AWAITING_NAME', 'IDLE'],
  AWAITING_AGE: ['AWAITING_AGE', 'AWAITING_GENDER', 'AWAITING_PHONE', 'IDLE'],
  AWAITING_PURPOSE: ['AWAITING_PURPOSE', 'SELECTING_DOCTOR', 'AWAITING_GENDER', 'IDLE'],
  SELECTING_SLOT: ['SELECTING_SLOT', 'SELECTING_PAYMENT_MODE', 'SELECTING_DOCTOR', 'IDLE'],
  AWAITING_REPORT_UPLOAD: ['AWAITING_REPORT_UPLOAD', 'AWAITING_REPORT_CHOICE', 'IDLE'],
};

/** Where an accepted answer at a step leads. */
const NEXT_STEP: Partial<Record<CorpusStep, FlowState>> = {
  AWAITING_NAME: 'AWAITING_PHONE',
  AWAITING_PHONE: 'AWAITING_AGE',
  AWAITING_AGE: 'AWAITING_GENDER',
  AWAITING_PURPOSE: 'SELECTING_DOCTOR',
  SELECTING_SLOT: 'SELECTING_PAYMENT_MODE',
};

/** The text a payload carries (its words, file name or option id), for echo checks. */
export function payloadText(payload: HostilePayload): string {
  switch (payload.kind) {
    case 'text':
      return payload.text;
    case 'choice':
      return payload.optionId;
    case 'contact':
      return payload.phone;
    case 'file':
      return payload.fileName;
    case 'http':
      return typeof payload.body === 'string' ? payload.body : '';
  }
}

function leaks(text: string, input: string): string[] {
  return LEAK_PATTERNS.filter((pattern) => pattern.test(text) && !pattern.test(input)).map((pattern) => `leaks ${pattern}`);
}

/** Markup the input carried ("<script", "<img src=x") that must not come back as it was. */
function markupOf(input: string): string[] {
  return [...input.matchAll(/<[a-z!/][^<>\s]*/gi)].map((m) => m[0]).filter((tag) => tag.length > 1);
}

/** Problems with the answer itself. */
export function judgeOutcome(outcome: DriverOutcome, payload: HostilePayload): string[] {
  const problems: string[] = [];
  const input = payloadText(payload);
  if (outcome.contentType !== undefined && !outcome.contentType.startsWith('application/json')) {
    problems.push(`answer is ${outcome.contentType}, not JSON`);
  }
  if (outcome.kind === 'http-error') {
    if (outcome.status < 400 || outcome.status >= 500) problems.push(`HTTP ${outcome.status} instead of a 4xx`);
    if (typeof outcome.code !== 'string' || !/^[A-Z][A-Z_]+$/.test(outcome.code)) problems.push(`error without a code: ${JSON.stringify(outcome.code)}`);
    if (typeof outcome.message !== 'string' || outcome.message.trim().length < 10) problems.push(`error without a message: ${JSON.stringify(outcome.message)}`);
    else problems.push(...leaks(outcome.message, input));
    return problems;
  }
  if (outcome.replies.length === 0) problems.push('no reply at all');
  const markup = markupOf(input);
  for (const reply of outcome.replies) {
    const text = reply.text ?? '';
    if (text.trim().length === 0) problems.push(`an empty ${reply.kind} reply`);
    if (text.length > MAX_REPLY_LENGTH) problems.push(`a reply of ${text.length} characters`);
    problems.push(...leaks(text, input));
    if (NEVER_ECHOED.test(text)) problems.push(`control characters echoed: ${JSON.stringify(text.slice(0, 80))}`);
    for (const tag of markup) if (text.includes(tag)) problems.push(`markup echoed: ${tag}`);
    for (const option of reply.options ?? []) {
      if (!option.label?.trim()) problems.push(`a menu option without a label (${option.id})`);
      if (NEVER_ECHOED.test(option.label ?? '')) problems.push('control characters in a menu label');
      for (const tag of markup) if ((option.label ?? '').includes(tag)) problems.push(`markup echoed in a label: ${tag}`);
    }
  }
  return problems;
}

/** Problems with what the conversation stored. */
export function judgeConversation(
  step: CorpusStep,
  before: ConversationSnapshot,
  after: ConversationSnapshot,
  expectation: { refused: boolean; accepted: boolean },
): string[] {
  const problems: string[] = [];
  if (!after.state || !(FLOW_STATES as readonly string[]).includes(after.state)) problems.push(`conversation lost or in an unknown state: ${after.state}`);
  else if (!ALLOWED_AFTER[step].includes(after.state)) problems.push(`jumped from ${step} to ${after.state}`);
  problems.push(...draftProblems(after.draft));
  if (after.reports < before.reports) problems.push('a report disappeared');
  if (before.appointmentStatus === 'CONFIRMED' && after.appointmentStatus !== 'CONFIRMED' && after.appointmentId === before.appointmentId) {
    problems.push(`the confirmed appointment became ${after.appointmentStatus}`);
  }
  if (expectation.refused) {
    if (after.state !== step) problems.push(`should have been refused at ${step}, but moved to ${after.state}`);
    if (!isDeepStrictEqual(after.draft, before.draft)) problems.push(`should have been refused, but the answers changed: ${JSON.stringify(after.draft)}`);
    if (after.reports !== before.reports) problems.push('should have been refused, but a report was stored');
  }
  if (expectation.accepted) {
    if (step === 'AWAITING_REPORT_UPLOAD') {
      if (after.reports !== before.reports + 1) problems.push('should have been stored as a report, but was not');
    } else if (after.state !== NEXT_STEP[step]) {
      problems.push(`should have been accepted at ${step}, but the conversation is at ${after.state}`);
    }
  }
  return problems;
}

/** Every answer kept in a booking draft must be one the validators would accept as it is. */
export function draftProblems(draft: BookingDraft): string[] {
  const problems: string[] = [];
  if (draft.name !== undefined) {
    const name = validateName(draft.name);
    if (!name.ok || name.value !== draft.name) problems.push(`stored an invalid name ${JSON.stringify(draft.name)}`);
  }
  if (draft.phone !== undefined) {
    const phone = validatePhone(draft.phone, 'IN');
    if (!phone.ok || phone.value !== draft.phone) problems.push(`stored an invalid phone ${JSON.stringify(draft.phone)}`);
  }
  if (draft.age !== undefined && !(Number.isInteger(draft.age) && draft.age >= 0 && draft.age <= AGE_MAX)) {
    problems.push(`stored an invalid age ${JSON.stringify(draft.age)}`);
  }
  if (draft.purpose !== undefined) {
    const purpose = validatePurpose(draft.purpose);
    if (!purpose.ok || purpose.value !== draft.purpose) problems.push(`stored an invalid purpose ${JSON.stringify(draft.purpose.slice(0, 60))}`);
  }
  return problems;
}

function appointmentProblems(appointment: Appointment): string[] {
  const problems: string[] = [];
  const label = appointment.id;
  const { patient } = appointment;
  problems.push(...draftProblems({ name: patient.name, phone: patient.phone, age: patient.age, purpose: appointment.purpose }).map((p) => `${label}: ${p}`));
  if (!['MALE', 'FEMALE', 'OTHER', 'UNDISCLOSED'].includes(patient.gender)) problems.push(`${label}: invalid gender ${patient.gender}`);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(appointment.date) || !/^\d{2}:\d{2}$/.test(appointment.time)) problems.push(`${label}: invalid date or time`);
  if (appointment.status === 'CONFIRMED' && (appointment.paymentMode === null || appointment.paymentStatus === null)) problems.push(`${label}: confirmed without payment fields`);
  return problems;
}

/**
 * The clinic's data as a whole: valid appointments, no slot over capacity at `now`, and report files
 * that match their records one to one and are really PDF, JPG or PNG.
 */
export async function worldProblems(world: DriverWorld): Promise<string[]> {
  const problems: string[] = [];
  const now = world.now();
  const appointments = await world.store.listAppointments({});
  const referenced = new Set<string>();
  for (const appointment of appointments) {
    problems.push(...appointmentProblems(appointment));
    for (const report of appointment.reports) {
      referenced.add(report.path);
      if (!/^[A-Za-z0-9_-]+\/[0-9a-f-]{36}\.(pdf|jpg|png)$/.test(report.path)) problems.push(`${appointment.id}: report stored at an unsafe path ${report.path}`);
      const full = path.join(world.reportsDir, report.path);
      if (!existsSync(full)) {
        problems.push(`${appointment.id}: report ${report.path} has no file`);
        continue;
      }
      const bytes = await readFile(full);
      const type = await detectReportType(bytes);
      if (!type.ok || !report.path.endsWith(`.${type.value.ext}`) || type.value.mime !== report.mime) problems.push(`${appointment.id}: report ${report.path} is not what its record says`);
      if (bytes.byteLength !== report.size || bytes.byteLength > world.maxUploadBytes) problems.push(`${appointment.id}: report ${report.path} has the wrong size`);
    }
  }
  problems.push(...(await capacityProblems(world.store, appointments, now)));
  if (existsSync(world.reportsDir)) {
    for (const folder of await readdir(world.reportsDir)) {
      for (const file of await readdir(path.join(world.reportsDir, folder))) {
        if (!referenced.has(`${folder}/${file}`)) problems.push(`a report file no appointment owns: ${folder}/${file}`);
      }
    }
  }
  return problems;
}

/**
 * Slots holding more places at `now` than they have, and appointments for slots that do not exist.
 * A HELD appointment holds its place until its hold lapses (one without an expiry always does).
 */
export async function capacityProblems(store: ClinicStore, appointments: readonly Appointment[], now: Date): Promise<string[]> {
  const problems: string[] = [];
  const taken = new Map<string, number>();
  for (const appointment of appointments) {
    const holds = appointment.status === 'HELD' ? appointment.holdExpiresAt === null || Date.parse(appointment.holdExpiresAt) > now.getTime() : true;
    if (CAPACITY_STATUSES.includes(appointment.status) && holds) taken.set(appointment.slotId, (taken.get(appointment.slotId) ?? 0) + 1);
  }
  for (const [slotId, count] of taken) {
    const slot = await store.getSlot(slotId);
    if (!slot) problems.push(`appointments for a slot that does not exist: ${slotId}`);
    else if (count > slot.capacity) problems.push(`slot ${slotId} is over capacity: ${count} of ${slot.capacity}`);
  }
  return problems;
}

/**
 * Holds that a crash left behind but that do not end as they should: longer than `holdMinutes`, or
 * still HELD after the sweep that follows their expiry (which this runs on `store`).
 */
export async function lingeringHoldProblems(store: ClinicStore, appointments: readonly Appointment[], holdMinutes: number, now: Date): Promise<string[]> {
  const problems = appointments
    .filter((a) => a.status === 'HELD' && (a.holdExpiresAt === null || Date.parse(a.holdExpiresAt) - Date.parse(a.createdAt) > holdMinutes * 60_000))
    .map((a) => `${a.id}: held longer than ${holdMinutes} minutes`);
  await store.expireHolds(new Date(now.getTime() + (holdMinutes + 1) * 60_000));
  for (const a of await store.listAppointments({ statuses: ['HELD'] })) problems.push(`${a.id}: still held after the sweep`);
  return problems;
}

