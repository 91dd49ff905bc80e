/**
 * What the composition root knows of a channel or service it starts: its start-up line, its HTTP
 * routes, its part of /health, and how to start and stop it. Each feature module exports a function
 * building one from the {@link AppContext}, so src/app.ts stays a list of parts.
 */
import type Database from 'better-sqlite3';
import type { Router } from 'express';
import type { AppConfig } from './config.js';
import type { AdminLoginGate } from './core/admin/login.js';
import type { DocumentFiles } from './core/delivery.js';
import type { ConversationEngine } from './core/engine.js';
import type { AdminAlerts, AdminConsole, Clock, ClinicStore, Notifier, Outbox, RequestKeys, SessionStore } from './core/ports.js';
import type { FeatureStatus } from './features.js';
import type { Logger } from './logging.js';
import type { DocumentVault } from './services/files/documentVault.js';
import type { ServiceMetrics } from './services/metrics.js';
import type { SqliteOutbox } from './store/sqlite/outbox.js';

/** Everything shared that a channel or service may need; built once by startApp. */
export interface AppContext {
  config: AppConfig;
  clock: Clock;
  logger: Logger;
  /** The local SQLite file (operational state; clinic data too unless the sheet holds it). */
  db: Database.Database;
  store: ClinicStore;
  sessions: SessionStore;
  outbox: Outbox & Pick<SqliteOutbox, 'announce'>;
  documents: DocumentVault & DocumentFiles;
  engine: ConversationEngine;
  notifier: Notifier;
  alerts: AdminAlerts;
  /** The web chat's Idempotency-Keys (pruned with the transcripts). */
  requestKeys: RequestKeys;
  /**
   * With ADMIN_PASSWORD: whether an admin chat is logged in now. What is pushed to admins outside
   * {@link alerts} (the WhatsApp QR code) goes only to such chats.
   */
  adminLogins?: Pick<AdminLoginGate, 'loggedInUntil'>;
  /** The admin commands, when admins are configured (TELEGRAM_ADMIN_IDS). */
  admin?: AdminConsole;
  /** Prometheus metrics; webhooks record their results here. */
  metrics: ServiceMetrics;
  /** Base of links the service hands out (PUBLIC_BASE_URL or the local URL once listening). */
  baseUrl(): string;
}

/** A started channel or service. */
export interface AppComponent {
  /** Replaces the start-up line of the feature with this name. */
  feature?: FeatureStatus;
  routes?: Router[];
  /**
   * Figures for /metrics (e.g. the Sheets backlog), as `<name>_<figure>`. Kept apart from `health`,
   * which may be slow (WhatsApp asks its browser), so a scrape stays cheap.
   */
  gauges?: () => Record<string, number>;
  /** This component's part of /health, under `name`; `ok: false` makes /health degraded. */
  health?: () => Promise<{ ok: boolean; [detail: string]: unknown }>;
  /** Called once the HTTP server listens (polling, webhooks registration, QR login). */
  start?: () => Promise<void>;
  /** Called at shutdown, in reverse order of the components list. */
  stop?: () => Promise<void>;
  name: string;
}
