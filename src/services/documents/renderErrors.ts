/**
 * Why a PDF could not be rendered. Callers treat every one of them alike (the booking or payment
 * stands; the document is made again on the next request), but the message says what happened.
 */
import { ClinicError } from '../../core/errors.js';

/** The renderer failed on this document (the render worker, if any, is fine and keeps serving). */
export class DocumentRenderError extends ClinicError {
  constructor(message: string) {
    super(message);
  }
}

/** The render worker thread died while rendering this document; the pool starts a fresh one. */
export class RenderWorkerCrashedError extends DocumentRenderError {
  constructor(
    readonly exitCode: number,
    readonly reason?: string,
  ) {
    super(
      `The PDF render worker stopped (exit code ${exitCode}${reason ? `: ${reason}` : ''}) while rendering this document. ` +
        'A fresh worker takes the next document: ask for this one again.',
    );
  }
}

/** The renderer was shut down before this document was rendered (the service is stopping). */
export class RendererClosedError extends DocumentRenderError {
  constructor() {
    super('The PDF renderer was shut down before this document was rendered; it is made again on the next request once the service runs.');
  }
}
