/**
 * Medical reports for the doctor: offered after booking and from the main menu. Files are checked by
 * content and size, then kept in private storage (never web-served).
 */
import type { Appointment } from '../domain.js';
import { checkReportSize, describeLimit, detectReportType } from '../reportFile.js';
import { appointmentWhen } from './describe.js';
import { appointmentChoiceStep, ownAppointment } from './appointments.js';
import type { Step, Turn } from './turn.js';

const UPLOAD = 'upload-report';
const SKIP = 'no-report';
const DONE = 'done';

/** The appointment reports are being collected for, if it is still active. */
async function reportTarget(turn: Turn): Promise<Appointment | undefined> {
  const appointment = await ownAppointment(turn, turn.session.targetAppointmentId);
  if (appointment && (appointment.status === 'CONFIRMED' || appointment.status === 'HELD')) return appointment;
  turn.notice('That appointment is no longer active, so reports cannot be added to it.');
  await turn.backToMainMenu();
  return undefined;
}

async function receiveReport(turn: Turn, appointment: Appointment): Promise<void> {
  const content = turn.inbound.content;
  if (content.kind !== 'file') return;
  const { settings, store, reports, logger } = turn.deps;
  const limit = settings.maxUploadBytes;

  if (appointment.reports.length >= settings.maxReportsPerAppointment) {
    turn.notice(`This appointment already has ${appointment.reports.length} reports, the most we can take. Please bring any others to the visit.`);
    return turn.backToMainMenu();
  }
  const announced = checkReportSize(content.size, limit);
  if (!announced.ok) {
    turn.notice(announced.problem);
    return turn.askAgain();
  }
  let bytes: Uint8Array;
  try {
    bytes = await content.load();
  } catch (error) {
    logger.warn({ err: error }, 'report download from the platform failed');
    turn.notice('Sorry, I could not receive that file. Please send it again.');
    return turn.askAgain();
  }
  const actual = checkReportSize(bytes.byteLength, limit);
  const type = actual.ok ? await detectReportType(bytes) : actual;
  if (!type.ok) {
    turn.notice(type.problem);
    return turn.askAgain();
  }
  const ref = await reports.save(appointment.id, bytes, type.value, turn.now);
  await store.addReport(appointment.id, ref, turn.now);
  turn.text(`Thank you, the report is attached to your appointment ${appointment.id} (${appointmentWhen(appointment)}).`);
  await turn.askAgain();
}

export const awaitingReportChoiceStep: Step = {
  acceptsFiles: true,
  async enter(turn) {
    turn.menu('Would you like to share a medical report (PDF, JPG or PNG) with the doctor?', [
      { id: UPLOAD, label: 'Upload a report' },
      { id: SKIP, label: 'No report, finish' },
    ]);
  },
  async handle(turn) {
    if (turn.inbound.content.kind === 'file') {
      // The patient sent the file straight away: treat it as the upload it obviously is.
      turn.session.state = 'AWAITING_REPORT_UPLOAD';
      return awaitingReportUploadStep.handle(turn);
    }
    const option = await turn.chosenOption({ [UPLOAD]: ['yes', 'haan', 'upload'], [SKIP]: ['no', 'nahi', 'skip', 'finish', 'done'] });
    if (!option) return;
    if (option.id === UPLOAD) return turn.goTo('AWAITING_REPORT_UPLOAD');
    turn.text('All set. We look forward to seeing you!');
    await turn.backToMainMenu();
  },
};

export const awaitingReportUploadStep: Step = {
  acceptsFiles: true,
  async enter(turn) {
    const appointment = await reportTarget(turn);
    if (!appointment) return;
    const count = appointment.reports.length;
    turn.menu(
      `${count > 0 ? 'You can send another report' : 'Please send the report'} for ${appointmentWhen(appointment)} ` +
        `as a PDF, JPG or PNG file (up to ${describeLimit(turn.settings.maxUploadBytes)}). Choose Done when you have finished.`,
      [{ id: DONE, label: 'Done' }],
    );
  },
  async handle(turn) {
    const appointment = await reportTarget(turn);
    if (!appointment) return;
    if (turn.inbound.content.kind === 'file') return receiveReport(turn, appointment);
    const option = await turn.chosenOption({ [DONE]: ['finish', 'finished', 'ok', 'no', 'skip', 'ho gaya'] });
    if (!option) return;
    turn.text(appointment.reports.length > 0 ? 'Thank you! The doctor will see your reports before the visit.' : 'Okay, no report was added.');
    await turn.backToMainMenu();
  },
};

export const selectingAppointmentForReportStep = appointmentChoiceStep({
  question: 'Which appointment is the report for?',
  noneText: 'You have no upcoming appointments to add a report to.',
  next: 'AWAITING_REPORT_UPLOAD',
  skipWhenOnlyOne: true,
});
