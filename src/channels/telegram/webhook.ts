/**
 * Receiving updates by webhook: an Express route at the path of TELEGRAM_WEBHOOK_URL. Every request
 * must carry TELEGRAM_WEBHOOK_SECRET in X-Telegram-Bot-Api-Secret-Token (Telegram sends the
 * secret_token given to setWebhook); the comparison takes the same time whatever the value, and a
 * request without it gets 401 and changes nothing.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import express, { Router } from 'express';
import type { Update } from 'telegraf/types';
import { EngineClosedError } from '../../core/engine.js';
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

/** Constant-time equality of two strings of any lengths (digests first, so lengths leak nothing). */
export function secretsEqual(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given, 'utf8').digest();
  const b = createHash('sha256').update(expected, 'utf8').digest();
  return timingSafeEqual(a, b) && given.length === expected.length;
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
      if (given === undefined || !secretsEqual(given, options.secret)) {
        options.logger.warn({ bot: options.name }, 'Telegram webhook call without the right secret refused');
        res.status(401).json({ error: { code: 'UNAUTHORIZED', message: 'Missing or wrong X-Telegram-Bot-Api-Secret-Token.' } });
        return;
      }
      next();
    },
    express.json({ limit: '1mb' }),
    async (req, res) => {
      const update: unknown = req.body;
      if (!isUpdate(update)) {
        res.status(400).json({ error: { code: 'BAD_UPDATE', message: 'The body is not a Telegram update.' } });
        return;
      }
      let timer: NodeJS.Timeout | undefined;
      const handling = options.handle(update);
      try {
        // The update is stored within milliseconds; a slow one (a large file) is answered anyway and finishes here.
        await Promise.race([handling, new Promise<void>((resolve) => (timer = setTimeout(resolve, ANSWER_WITHIN_MS)))]);
        res.status(200).json({});
      } catch (error) {
        if (error instanceof EngineClosedError) {
          // Shutting down: Telegram retries later, and the update is handled after the restart.
          res.status(503).setHeader('Retry-After', '5').json({ error: { code: 'SHUTTING_DOWN', message: 'Restarting; retry shortly.' } });
          return;
        }
        throw error;
      } finally {
        clearTimeout(timer);
        handling.catch(() => undefined);
      }
    },
  );
  return router;
}
