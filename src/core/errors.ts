/**
 * Typed errors of the core. Each says what failed and what the caller can do about it.
 */

/** Base class so callers can tell our errors from programming faults. */
export class ClinicError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** The slot is full, blocked, past or unknown: offer the patient other slots. */
export class SlotUnavailableError extends ClinicError {
  constructor(
    readonly slotId: string,
    readonly reason: 'full' | 'blocked' | 'unknown' | 'past',
  ) {
    super(`Slot ${slotId} cannot be booked (${reason}); choose another slot.`);
  }
}

/** No appointment has that id: it may have been deleted from the sheet. */
export class AppointmentNotFoundError extends ClinicError {
  constructor(readonly appointmentId: string) {
    super(`Appointment ${appointmentId} was not found; check the id or list the patient's appointments.`);
  }
}

/** The appointment is not in a status that allows this change. */
export class InvalidTransitionError extends ClinicError {
  constructor(
    readonly appointmentId: string,
    readonly from: string,
    readonly to: string,
  ) {
    super(`Appointment ${appointmentId} is ${from} and cannot become ${to}.`);
  }
}
