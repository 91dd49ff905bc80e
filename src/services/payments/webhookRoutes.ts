/**
 * POST /webhooks/razorpay. The body is read raw (the signature covers its exact bytes), verified in
 * constant time, applied, and answered 2xx only once the change is stored; Razorpay retries anything
 * else, which the idempotent handling makes safe.
 */
import express, { type Router } from 'express';
import type { Clock } from '../../core/ports.js';
import { sendError } from '../../http/httpError.js';
import type { Logger } from '../../logging.js';
import type { ServiceMetrics } from '../metrics.js';
import { MalformedWebhookError, type RazorpayWebhookEvents } from './webhookEvents.js';
import { verifyWebhookSignature } from './webhookSignature.js';

export const RAZORPAY_WEBHOOK_PATH = '/webhooks/razorpay';
/** Razorpay's payloads are a few kilobytes; anything far larger is not from Razorpay. */
const MAX_BODY = '256kb';

export interface RazorpayWebhookRouteOptions {
  webhookSecret: string;
  events: RazorpayWebhookEvents;
  clock: Clock;
  logger: Logger;
  /** Counts deliveries by result, when given. */
  metrics?: Pick<ServiceMetrics, 'recordWebhook'>;
}

export function razorpayWebhookRoutes(options: RazorpayWebhookRouteOptions): Router {
  const { webhookSecret, events, clock, logger, metrics } = options;
  const count = (result: Parameters<ServiceMetrics['recordWebhook']>[1]) => metrics?.recordWebhook('razorpay', result);
  const router = express.Router();
  router.post(RAZORPAY_WEBHOOK_PATH, express.raw({ type: () => true, limit: MAX_BODY }), async (req, res) => {
    const raw: Buffer = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    if (!verifyWebhookSignature(raw, req.get('x-razorpay-signature'), webhookSecret)) {
      logger.warn({ path: RAZORPAY_WEBHOOK_PATH }, 'webhook refused: missing or wrong signature');
      count('rejected');
      return sendError(res, 400, 'INVALID_SIGNATURE', 'X-Razorpay-Signature is missing or does not match the body.');
    }
    try {
      const result = await events.apply(raw, req.get('x-razorpay-event-id'), clock.now());
      count(result === 'duplicate' ? 'duplicate' : 'applied');
      res.status(200).json({ ok: true, result });
    } catch (error) {
      if (error instanceof MalformedWebhookError) {
        logger.error({ err: error }, 'signed webhook with an unexpected body');
        count('rejected');
        return sendError(res, 400, 'INVALID_PAYLOAD', error.message);
      }
      logger.error({ err: error }, 'webhook could not be applied; Razorpay will retry');
      count('failed');
      sendError(res, 500, 'NOT_APPLIED', 'The event could not be stored; please retry.');
    }
  });
  return router;
}
