/**
 * Receiving updates by webhook: an Express route at the path of TELEGRAM_WEBHOOK_URL. Every request
 * must carry TELEGRAM_WEBHOOK_SECRET in X-Telegram-Bot-Api-Secret-Token (Telegram sends the
 * secret_token given to setWebhook); the comparison takes the same time whatever the value, and a
 * request without it gets 401 and changes nothing.
 */
import express, { Router } from 'express';
import type { Update } from 'telegraf/types';
import { sendError } from '../../http/httpError.js';
import { sameSecret } from '../../core/secrets.js';
import type { Logger } from '../../logging.js';

export const SECRET_HEADER = 'x-telegram-bot-api-secret-token';

/** Longest a webhook call waits for its update to be handled before answering anyway. */
const ANSWER_WITHIN_MS = 5_000;

export interface WebhookRouteOptions {
  /** URL path, from the webhook URL. */
  path: string;
  secret: string;
  handle: (update: Update) => Promise<void>;
  logger: Logger;
  name: string;
}

function isUpdate(body: unknown): body is Update {
  return typeof body === 'object' && body !== null && Number.isSafeInteger((body as { update_id?: unknown }).update_id);
}

export function telegramWebhookRouter(options: WebhookRouteOptions): Router {
  const router = Router();
  router.post(
    options.path,
    (req, res, next) => {
      const given = req.get(SECRET_HEADER);
      if (given === undefined || !sameSecret(given, options.secret)) {
        options.logger.warn({ bot: options.name }, 'Telegram webhook call without the right secret refused');
        return sendError(res, 401, 'UNAUTHORIZED', 'Missing or wrong X-Telegram-Bot-Api-Secret-Token.');
      }
      next();
    },
    express.json({ limit: '1mb' }),
    async (req, res) => {
      const update: unknown = req.body;
      if (!isUpdate(update)) {
        return sendError(res, 400, 'BAD_UPDATE', 'The body is not a Telegram update.');
      }
      let timer: NodeJS.Timeout | undefined;
      const handling = options.handle(update);
      try {
        // The update is stored within milliseconds; a slow one (a large file) is answered anyway and finishes here.
        // Rejected only at shutdown (EngineClosedError): the app's error handler answers 503 with
        // Retry-After, so Telegram delivers the update again after the restart.
        await Promise.race([handling, new Promise<void>((resolve) => (timer = setTimeout(resolve, ANSWER_WITHIN_MS)))]);
        res.status(200).json({});
      } finally {
        clearTimeout(timer);
        handling.catch(() => undefined);
      }
    },
  );
  return router;
}
