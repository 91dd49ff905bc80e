/**
 * Errors of the WhatsApp channel. Each says what failed and what the operator can do.
 */
import { ClinicError } from '../../core/errors.js';

/** The browser WhatsApp Web runs in is not installed where CHROME_PATH (or the default) points. */
export class ChromiumNotFoundError extends ClinicError {
  constructor(readonly chromePath: string) {
    super(
      `Chromium was not found at ${chromePath}. Install it (Debian/Ubuntu: apt-get install chromium) ` +
        'or set CHROME_PATH to the browser executable, then restart; the rest of the service keeps running.',
    );
  }
}

/** WhatsApp no longer has the bytes of a received photo, document or voice note. */
export class MediaUnavailableError extends ClinicError {
  constructor(readonly messageType: string) {
    super(`The ${messageType} could not be downloaded from WhatsApp; the patient has to send it again.`);
  }
}
