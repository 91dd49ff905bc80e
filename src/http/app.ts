/**
 * The Express application: web chat page and API, health, signed downloads. It only routes; the work
 * is done by the parts handed in.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import express, { type Express, type Router } from 'express';
import helmet from 'helmet';
import type { WebChatChannel } from '../channels/web/webChatChannel.js';
import type { Clock } from '../core/ports.js';
import type { Logger } from '../logging.js';
import type { DocumentVault } from '../services/files/documentVault.js';
import { downloadRoutes } from './downloadRoutes.js';
import { httpRateLimit } from './rateLimit.js';
import { errorHandler, sendError } from './httpError.js';
import { webChatRoutes } from './webChatRoutes.js';

export interface HealthReport {
  ok: boolean;
  [part: string]: unknown;
}

export interface HttpAppParts {
  webChat: WebChatChannel;
  documents: DocumentVault;
  clock: Clock;
  logger: Logger;
  /** Directory of the static web chat page. */
  publicDir: string;
  clinicName: string;
  maxUploadBytes: number;
  /** Whether voice notes are listened to (the page shows its microphone only then). */
  voiceNotes?: boolean;
  health: () => Promise<HealthReport>;
  /** True once shutdown has begun: new API requests get 503 while in-flight ones finish. */
  isShuttingDown: () => boolean;
  /** Routes of channels and services (webhooks, admin endpoints); each parses its own body. */
  routes?: Router[];
  /** Requests a client address may make to /api and /webhooks per minute (0: no limit). */
  perIpPerMinute?: number;
  /** Requests one web chat session may make per minute (0: no limit). */
  perChatPerMinute?: number;
}

function escapeAttribute(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** The page with this clinic's name, upload limit and voice notes filled in (read once, not per request). */
function renderIndex(publicDir: string, clinicName: string, maxUploadMb: number, voiceNotes: boolean): string {
  return readFileSync(path.join(publicDir, 'index.html'), 'utf8')
    // Replacer functions, so a "$" in the clinic's name is not read as a replacement pattern.
    .replace(/(<meta name="clinic-name" content=")[^"]*(")/, (_m, open: string, close: string) => `${open}${escapeAttribute(clinicName)}${close}`)
    .replace(/(<meta name="max-upload-mb" content=")[^"]*(")/, (_m, open: string, close: string) => `${open}${maxUploadMb}${close}`)
    .replace(/(<meta name="voice-notes" content=")[^"]*(")/, (_m, open: string, close: string) => `${open}${voiceNotes ? 'on' : 'off'}${close}`);
}

export function createHttpApp(parts: HttpAppParts): Express {
  const app = express();
  const maxUploadMb = Math.floor(parts.maxUploadBytes / (1024 * 1024));
  const indexHtml = renderIndex(parts.publicDir, parts.clinicName, maxUploadMb, parts.voiceNotes ?? false);

  app.disable('x-powered-by');
  app.set('trust proxy', 'loopback');
  app.use(
    helmet({
      contentSecurityPolicy: {
        directives: {
          defaultSrc: ["'self'"],
          imgSrc: ["'self'", 'data:'],
          // No 'unsafe-inline' and no other hosts: the page has only its own stylesheet.
          styleSrc: ["'self'"],
          connectSrc: ["'self'"],
          upgradeInsecureRequests: null,
        },
      },
      strictTransportSecurity: false,
    }),
  );

  app.get('/health', async (_req, res) => {
    const report = await parts.health();
    res.setHeader('Cache-Control', 'no-store');
    res.status(report.ok ? 200 : 503).json(report);
  });

  app.use('/api', (_req, res, next) => {
    if (!parts.isShuttingDown()) return next();
    res.setHeader('Retry-After', '5');
    sendError(res, 503, 'SHUTTING_DOWN', 'The service is restarting. Please try again in a few seconds.');
  });
  if (parts.perIpPerMinute) {
    app.use(['/api', '/webhooks', '/payments'], httpRateLimit({ requests: parts.perIpPerMinute, seconds: 60, key: (req) => req.ip, what: 'requests from your network' }));
  }
  if (parts.perChatPerMinute) {
    app.use('/api/chat/:sessionId', httpRateLimit({ requests: parts.perChatPerMinute, seconds: 60, key: (req) => String(req.params.sessionId), what: 'messages in this chat' }));
  }
  for (const router of parts.routes ?? []) app.use(router);
  app.use(webChatRoutes(parts.webChat, { maxUploadBytes: parts.maxUploadBytes }));
  app.use(downloadRoutes(parts.documents, parts.clock));

  app.get(['/', '/index.html'], (_req, res) => {
    res.setHeader('Cache-Control', 'no-cache');
    res.type('html').send(indexHtml);
  });
  app.use(express.static(parts.publicDir, { index: false, maxAge: '1h' }));

  app.use('/api', (_req, res) => sendError(res, 404, 'NOT_FOUND', 'No such API endpoint.'));
  // Every other path answers in the same JSON shape rather than Express's HTML page.
  app.use((_req, res) => sendError(res, 404, 'NOT_FOUND', 'Nothing here. The web chat is at /.'));
  app.use(errorHandler(parts.logger, maxUploadMb));
  return app;
}
