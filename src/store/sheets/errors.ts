/**
 * Errors of the Google Sheets store that an operator must act on.
 */
import { ClinicError } from '../../core/errors.js';

/**
 * The sheet cannot be used as configured (not shared, missing tab or column, bad key). The message says
 * exactly what to do; start-up stops with it.
 */
export class SheetsSetupError extends ClinicError {}
