/**
 * GET /whatsapp/qr: the QR code waiting to be scanned, as a PNG, for admins only (ADMIN_PASSWORD as a
 * Bearer token, or as the password of HTTP Basic auth so a browser can open it). Whoever scans it
 * links their WhatsApp to the clinic's service, so it is never shown to anyone else.
 */
import { Router, type Request } from 'express';
import QRCode from 'qrcode';
import type { Clock } from '../../core/ports.js';
import { sendError } from '../../http/httpError.js';
import { sameSecret } from '../../core/secrets.js';

export interface QrRouteOptions {
  /** ADMIN_PASSWORD; without it the page is closed. */
  adminPassword: string | undefined;
  /** The code to scan now, or undefined with a word on why there is none. */
  pendingQr(): { qr: string } | { none: string };
  clock: Clock;
}

/** Failed tries per client address before it has to wait. */
const MAX_FAILURES = 10;
const FAILURE_WINDOW_MS = 15 * 60_000;

/** The password in "Bearer <password>" or "Basic base64(user:password)". */
function offeredPassword(req: Request): string | undefined {
  const header = req.get('authorization') ?? '';
  const bearer = /^Bearer\s+(.+)$/i.exec(header);
  if (bearer) return bearer[1]!.trim();
  const basic = /^Basic\s+([A-Za-z0-9+/=]+)$/i.exec(header);
  if (basic) {
    const decoded = Buffer.from(basic[1]!, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    return colon >= 0 ? decoded.slice(colon + 1) : undefined;
  }
  return undefined;
}

export function whatsAppQrRoutes(options: QrRouteOptions): Router {
  const router = Router();
  const failures = new Map<string, { count: number; firstAt: number }>();

  router.get('/whatsapp/qr', async (req, res) => {
    res.setHeader('Cache-Control', 'no-store');
    const { adminPassword, clock } = options;
    if (!adminPassword) {
      return sendError(res, 403, 'QR_PAGE_CLOSED', 'Set ADMIN_PASSWORD to see the WhatsApp QR code here; it is also printed in the server terminal.');
    }
    const client = req.ip ?? 'unknown';
    const now = clock.now().getTime();
    const record = failures.get(client);
    if (record && now - record.firstAt > FAILURE_WINDOW_MS) failures.delete(client);
    if ((failures.get(client)?.count ?? 0) >= MAX_FAILURES) {
      res.setHeader('Retry-After', String(Math.ceil(FAILURE_WINDOW_MS / 1000)));
      return sendError(res, 429, 'TOO_MANY_TRIES', 'Too many wrong passwords. Try again in 15 minutes.');
    }

    const offered = offeredPassword(req);
    if (offered === undefined || !sameSecret(offered, adminPassword)) {
      const current = failures.get(client) ?? { count: 0, firstAt: now };
      if (offered !== undefined) failures.set(client, { ...current, count: current.count + 1 });
      res.setHeader('WWW-Authenticate', 'Basic realm="WhatsApp QR code", charset="UTF-8"');
      return sendError(res, 401, 'UNAUTHORIZED', 'Send the admin password (Authorization: Bearer <ADMIN_PASSWORD>).');
    }
    failures.delete(client);

    const pending = options.pendingQr();
    if ('none' in pending) return sendError(res, 404, 'NO_QR', pending.none);
    const png = await QRCode.toBuffer(pending.qr, { type: 'png', width: 360, margin: 2, errorCorrectionLevel: 'M' });
    res.type('png').send(png);
  });

  return router;
}
