/**
 * The web chat API (DESIGN.md "Web chat API"):
 *   POST /api/chat/:sessionId/messages   {text} | {choice} as JSON, or multipart with one file: a report
 *                                        (field `file`, or any other name) or a `voice` (a recorded
 *                                        voice clip, audio/*)
 *   GET  /api/chat/:sessionId/messages?after=SEQ[&transcript=true]  (transcript: the patient's side too)
 */
import express, { Router, type RequestHandler } from 'express';
import multer from 'multer';
import { z } from 'zod';
import { IdempotencyKeyReusedError, SESSION_ID_PATTERN, type WebChatChannel, type WebInput } from '../channels/web/webChatChannel.js';
import { HttpError, sendError } from './httpError.js';

/** Longest typed message accepted; the flow itself asks for much less. */
export const MAX_TEXT_LENGTH = 2000;

/**
 * An Idempotency-Key: 1 to 255 visible ASCII characters, no spaces or quotes (a UUID, a counter), sent
 * as it is or, in the structured-field form of the IETF draft "The Idempotency-Key HTTP Header
 * Field", inside double quotes. Keys are kept per chat, so a short one cannot clash with another
 * client's.
 */
const IDEMPOTENCY_KEY = /^(?:"([!#-~]{1,255})"|([!#-~]{1,255}))$/;

/** The key a request carries, undefined without one; throws a 400 for a malformed one. */
function idempotencyKeyOf(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  const match = IDEMPOTENCY_KEY.exec(header);
  if (!match) {
    throw new HttpError(400, 'BAD_IDEMPOTENCY_KEY', 'Idempotency-Key must be 1-255 visible ASCII characters without spaces or quotes, e.g. a UUID.');
  }
  return match[1] ?? match[2];
}

const jsonBody = z.union([
  // A message of nothing but spaces says nothing: refused like a missing one.
  z.object({ text: z.string().max(MAX_TEXT_LENGTH).regex(/\S/) }).strict(),
  z.object({ choice: z.string().min(1).max(200) }).strict(),
]);

/** Plain decimal digits only: "1e3", "0x10" or " 1" are not a seq a client was given. */
const afterQuery = z
  .string()
  .regex(/^\d{1,16}$/)
  .transform(Number)
  .pipe(z.number().int().max(Number.MAX_SAFE_INTEGER))
  .optional()
  .transform((after) => after ?? 0);

const requireSessionId: RequestHandler = (req, _res, next) => {
  const sessionId = String(req.params.sessionId ?? '');
  if (!SESSION_ID_PATTERN.test(sessionId)) {
    return next(new HttpError(400, 'BAD_SESSION_ID', 'The chat id must be 22 to 128 URL-safe characters (letters, digits, - and _).'));
  }
  next();
};

/** The multipart field of a recorded voice clip; a file in any other field is a report. */
const VOICE_FIELD = 'voice';

/** Audio types a recorded voice clip may have (browsers record WAV here, else webm, ogg or mp4). */
const VOICE_TYPE = /^(audio\/[a-z0-9.+-]+|video\/webm)(;.*)?$/i;

function inputFrom(req: express.Request): WebInput {
  const [file] = (req.files ?? []) as Express.Multer.File[];
  if (file?.fieldname === VOICE_FIELD) {
    if (!VOICE_TYPE.test(file.mimetype)) {
      throw new HttpError(415, 'NOT_AUDIO', 'A voice clip must be audio (for example audio/wav, audio/ogg or audio/webm).');
    }
    return { kind: 'voice', bytes: new Uint8Array(file.buffer), mime: file.mimetype };
  }
  if (file) return { kind: 'file', bytes: new Uint8Array(file.buffer), mime: file.mimetype, fileName: file.originalname.slice(0, 200) };
  const parsed = jsonBody.safeParse(req.body ?? {});
  if (!parsed.success) {
    const tooLong = parsed.error.issues.find((issue) => issue.code === 'too_big');
    // An option id is not typed by the patient: one too long for any of ours is a forged or broken button.
    if (tooLong?.path[0] === 'choice') throw new HttpError(400, 'BAD_CHOICE', 'That button is not one of ours. Tap a button of the latest message, or type your answer.');
    throw tooLong
      ? new HttpError(413, 'TEXT_TOO_LONG', `Please keep messages to at most ${MAX_TEXT_LENGTH} characters.`)
      : new HttpError(400, 'BAD_MESSAGE', 'Send {"text": "..."} or {"choice": "<option id>"} as JSON, or a file as multipart field "file".');
  }
  return 'text' in parsed.data ? { kind: 'text', text: parsed.data.text } : { kind: 'choice', optionId: parsed.data.choice };
}

export function webChatRoutes(channel: WebChatChannel, options: { maxUploadBytes: number }): Router {
  const router = Router();
  const upload = multer({
    storage: multer.memoryStorage(),
    limits: { fileSize: options.maxUploadBytes, files: 1, fields: 4, fieldSize: 8 * 1024, parts: 6 },
  });

  router.post(
    '/api/chat/:sessionId/messages',
    requireSessionId,
    (req, _res, next) => {
      // req.is is null without a body (then the message is simply missing) and false for other types.
      if (req.is(['application/json', '+json', 'multipart/form-data']) === false) {
        return next(new HttpError(415, 'UNSUPPORTED_MEDIA_TYPE', 'Send the message as JSON (Content-Type: application/json), or a file as multipart/form-data.'));
      }
      next();
    },
    express.json({ limit: '16kb', type: ['application/json', '+json'] }),
    (req, res, next) => {
      if (!req.is('multipart/form-data')) return next();
      // One file per message: a recorded voice clip in the field "voice", a report in "file" (the page's
      // name) or in whatever field another client names it.
      upload.any()(req, res, (error?: unknown) => {
        // Busboy's parse errors (cut-off body, no boundary) are the client's, not ours.
        if (error && !(error instanceof multer.MulterError)) {
          return next(new HttpError(400, 'BAD_UPLOAD', 'The upload could not be read. Please send the file again.'));
        }
        next(error);
      });
    },
    async (req, res) => {
      const key = idempotencyKeyOf(req.get('Idempotency-Key'));
      const messages = await channel.receive(String(req.params.sessionId), inputFrom(req), key).catch((error: unknown) => {
        // As the IETF Idempotency-Key draft asks: a key reused with another payload is 422.
        if (error instanceof IdempotencyKeyReusedError) throw new HttpError(422, 'IDEMPOTENCY_KEY_REUSED', error.message);
        throw error;
      });
      res.setHeader('Cache-Control', 'no-store');
      res.json({ messages });
    },
  );

  router.get('/api/chat/:sessionId/messages', requireSessionId, async (req, res) => {
    const after = afterQuery.safeParse(req.query.after);
    if (!after.success) throw new HttpError(400, 'BAD_AFTER', '"after" must be a whole number (the last seq you have).');
    res.setHeader('Cache-Control', 'no-store');
    const transcript = req.query.transcript === 'true' || req.query.transcript === '1';
    const { messages, more } = await channel.history(String(req.params.sessionId), after.data, transcript);
    res.json(more ? { messages, more } : { messages });
  });

  router.all('/api/chat/:sessionId/messages', (_req, res) => {
    res.setHeader('Allow', 'GET, HEAD, POST');
    sendError(res, 405, 'METHOD_NOT_ALLOWED', 'Use POST to send a message and GET to read the chat.');
  });

  return router;
}
