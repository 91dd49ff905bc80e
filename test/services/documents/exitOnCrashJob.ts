/**
 * Test-only: makes the render worker thread exit, as a crash would, when it is handed the appointment
 * {@link CRASH_APPOINTMENT_ID}. Loaded before the real worker, so its listener runs first and the
 * job is still in progress when the thread dies.
 */
import { parentPort } from 'node:worker_threads';
import type { RenderRequest } from '../../../src/services/documents/renderJob.js';

export const CRASH_APPOINTMENT_ID = 'APT-CRASH';
export const CRASH_EXIT_CODE = 70;

parentPort?.on('message', (request: RenderRequest) => {
  if (request.job.appointment.id === CRASH_APPOINTMENT_ID) process.exit(CRASH_EXIT_CODE);
});
