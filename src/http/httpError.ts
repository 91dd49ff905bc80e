/**
 * HTTP errors as JSON: `{"error": {"code": "FILE_TOO_LARGE", "message": "…"}}`. Codes are stable for
 * clients; messages are written for the person reading them.
 */
import type { ErrorRequestHandler, Response } from 'express';
import multer from 'multer';
import { EngineClosedError } from '../core/engine.js';
import { VOICE_TOO_LONG_TEXT } from '../core/flow/voiceNotes.js';
import type { Logger } from '../logging.js';

export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

export function sendError(res: Response, status: number, code: string, message: string): void {
  res.status(status).json({ error: { code, message } });
}

/** Last error handler: known errors become clear JSON answers, anything else a logged 500. */
export function errorHandler(logger: Logger, maxUploadMb: number): ErrorRequestHandler {
  return (error: unknown, req, res, next) => {
    if (res.headersSent) return next(error);
    if (error instanceof HttpError) return sendError(res, error.status, error.code, error.message);
    if (error instanceof EngineClosedError) {
      res.setHeader('Retry-After', '5');
      return sendError(res, 503, 'SHUTTING_DOWN', 'The service is restarting. Please try again in a few seconds.');
    }
    if (error instanceof multer.MulterError) {
      if (error.code === 'LIMIT_FILE_SIZE') {
        const message =
          error.field === 'voice'
            ? VOICE_TOO_LONG_TEXT
            : `That file is too large. Reports can be at most ${maxUploadMb} MB.`;
        return sendError(res, 413, 'FILE_TOO_LARGE', message);
      }
      return sendError(res, 400, 'BAD_UPLOAD', 'Please send one file at a time, in the field "file".');
    }
    const status = (error as { status?: unknown }).status;
    const type = (error as { type?: unknown }).type;
    if (type === 'entity.too.large') return sendError(res, 413, 'TOO_LARGE', 'That message is too long.');
    if (type === 'entity.parse.failed') return sendError(res, 400, 'BAD_JSON', 'The request body is not valid JSON.');
    if (type === 'charset.unsupported' || type === 'encoding.unsupported') {
      return sendError(res, 415, 'UNSUPPORTED_MEDIA_TYPE', 'Send JSON in UTF-8 (Content-Type: application/json), without a content encoding.');
    }
    if (typeof status === 'number' && status >= 400 && status < 500) {
      return sendError(res, status, 'BAD_REQUEST', 'The request could not be understood.');
    }
    logger.error({ err: error, method: req.method, route: req.route?.path }, 'request failed');
    return sendError(res, 500, 'INTERNAL', 'Something went wrong on our side. Please try again.');
  };
}
