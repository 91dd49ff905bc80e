/**
 * GET /metrics in the Prometheus text format; with METRICS_TOKEN set, only for
 * `Authorization: Bearer <token>` (compared in constant time).
 */
import { Router } from 'express';
import type { Registry } from 'prom-client';
import { sameSecret } from '../core/secrets.js';
import { sendError } from './httpError.js';

export function metricsRoute(registry: Registry, token: string | undefined): Router {
  const router = Router();
  router.get('/metrics', async (req, res) => {
    if (token !== undefined) {
      const given = /^Bearer (.+)$/.exec(req.get('Authorization') ?? '')?.[1] ?? '';
      if (!sameSecret(given, token)) {
        res.setHeader('WWW-Authenticate', 'Bearer');
        return sendError(res, 401, 'UNAUTHORIZED', 'Send the metrics token as "Authorization: Bearer <METRICS_TOKEN>".');
      }
    }
    res.setHeader('Cache-Control', 'no-store');
    res.type(registry.contentType).send(await registry.metrics());
  });
  return router;
}
