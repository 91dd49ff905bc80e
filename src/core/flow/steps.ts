/**
 * Every state of the conversation and the step that handles it.
 */
import type { StepRegistry } from './turn.js';
import { idleStep } from './mainMenu.js';
import {
  awaitingAgeStep,
  awaitingGenderStep,
  awaitingNameStep,
  awaitingPhoneStep,
  awaitingPurposeStep,
  confirmingReturningPatientStep,
} from './patientDetails.js';
import { selectingDoctorStep, selectingSlotStep } from './doctorAndSlot.js';
import { awaitingPaymentStep, selectingPaymentModeStep } from './payment.js';
import { awaitingReportChoiceStep, awaitingReportUploadStep, selectingAppointmentForReportStep } from './reports.js';
import { confirmingCancellationStep, selectingAppointmentToCancelStep } from './manageAppointments.js';
import { selectingAppointmentForInvoiceStep } from './invoices.js';
import { answeringReminderStep } from './appointmentActions.js';
import { selectingAppointmentToRescheduleStep, selectingNewSlotStep } from './reschedule.js';

export const STEPS: StepRegistry = {
  IDLE: idleStep,
  CONFIRMING_RETURNING_PATIENT: confirmingReturningPatientStep,
  AWAITING_NAME: awaitingNameStep,
  AWAITING_PHONE: awaitingPhoneStep,
  AWAITING_AGE: awaitingAgeStep,
  AWAITING_GENDER: awaitingGenderStep,
  AWAITING_PURPOSE: awaitingPurposeStep,
  SELECTING_DOCTOR: selectingDoctorStep,
  SELECTING_SLOT: selectingSlotStep,
  SELECTING_PAYMENT_MODE: selectingPaymentModeStep,
  AWAITING_PAYMENT: awaitingPaymentStep,
  AWAITING_REPORT_CHOICE: awaitingReportChoiceStep,
  AWAITING_REPORT_UPLOAD: awaitingReportUploadStep,
  SELECTING_APPOINTMENT_TO_CANCEL: selectingAppointmentToCancelStep,
  CONFIRMING_CANCELLATION: confirmingCancellationStep,
  SELECTING_APPOINTMENT_FOR_REPORT: selectingAppointmentForReportStep,
  SELECTING_APPOINTMENT_FOR_INVOICE: selectingAppointmentForInvoiceStep,
  ANSWERING_REMINDER: answeringReminderStep,
  SELECTING_APPOINTMENT_TO_RESCHEDULE: selectingAppointmentToRescheduleStep,
  SELECTING_NEW_SLOT: selectingNewSlotStep,
};
