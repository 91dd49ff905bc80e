/**
 * Prometheus metrics (prom-client) for GET /metrics: messages and turn latency by channel, bookings by
 * status, the outbox backlog per channel, reminders sent, webhook results, and whatever the started
 * components report. Store-backed figures are read at scrape time, so they are right after a restart.
 */
import type Database from 'better-sqlite3';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { DeliveryChannel } from '../core/delivery.js';
import type { TurnEvent } from '../core/engine.js';
import type { Outbox } from '../core/ports.js';

const DELIVERY_CHANNELS: readonly DeliveryChannel[] = ['web', 'telegram', 'telegram-admin', 'whatsapp'];

export interface ServiceMetricsOptions {
  db: Database.Database;
  outbox: Outbox;
  /** Extra gauges read at scrape time, e.g. the Sheets sync backlog: name -> value. */
  extraGauges?: () => Promise<Record<string, number>>;
}

export class ServiceMetrics {
  readonly registry = new Registry();
  private readonly messages: Counter<'channel' | 'outcome'>;
  private readonly turnSeconds: Histogram<'channel'>;
  private readonly webhooks: Counter<'source' | 'result'>;

  constructor(options: ServiceMetricsOptions) {
    const { db, outbox, registry } = { ...options, registry: this.registry };
    collectDefaultMetrics({ register: registry, prefix: 'clinic_' });
    this.messages = new Counter({
      name: 'clinic_messages_total',
      help: 'Patient messages received, by channel and outcome (handled, duplicate, failed, flood).',
      labelNames: ['channel', 'outcome'],
      registers: [registry],
    });
    this.turnSeconds = new Histogram({
      name: 'clinic_turn_duration_seconds',
      help: 'Time to handle one patient message, queueing behind earlier messages of the chat included.',
      labelNames: ['channel'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    });
    this.webhooks = new Counter({
      name: 'clinic_webhook_requests_total',
      help: 'Webhook deliveries by source and result (applied, duplicate, rejected, failed).',
      labelNames: ['source', 'result'],
      registers: [registry],
    });
    const appointmentsByStatus = db.prepare<[], { status: string; n: number }>('SELECT status, COUNT(*) AS n FROM appointments GROUP BY status');
    new Gauge({
      name: 'clinic_appointments',
      help: 'Appointments by status.',
      labelNames: ['status'],
      registers: [registry],
      collect() {
        this.reset();
        for (const row of appointmentsByStatus.all()) this.set({ status: row.status }, row.n);
      },
    });
    const backlogGauge = (name: string, help: string, pick: (b: Awaited<ReturnType<Outbox['backlog']>>) => number) =>
      new Gauge({
        name,
        help,
        labelNames: ['channel'],
        registers: [registry],
        async collect() {
          for (const channel of DELIVERY_CHANNELS) this.set({ channel }, pick(await outbox.backlog(channel)));
        },
      });
    backlogGauge('clinic_outbox_pending', 'Messages waiting to be delivered, by channel.', (b) => b.pending);
    backlogGauge('clinic_outbox_undeliverable', 'Messages that could never be delivered (blocked, unknown chat), by channel.', (b) => b.undeliverable);
    // Every reminder claims a dedupe key before it is queued, and keys are never pruned: a true count.
    const reminders = db.prepare<[], { n: number }>(`SELECT COUNT(*) AS n FROM outbox_dedupe WHERE key LIKE 'reminder:%'`);
    new Gauge({
      name: 'clinic_reminders_sent_total',
      help: 'Reminders queued to patients since the data directory was created.',
      registers: [registry],
      collect() {
        this.set(reminders.get()?.n ?? 0);
      },
    });
    if (options.extraGauges) {
      const extra = options.extraGauges;
      new Gauge({
        name: 'clinic_component_gauge',
        help: 'Figures reported by started components (e.g. sheets_sync_backlog).',
        labelNames: ['name'],
        registers: [registry],
        async collect() {
          this.reset();
          for (const [name, value] of Object.entries(await extra())) this.set({ name }, value);
        },
      });
    }
  }

  /** Records one handled message (pass as the engine's `onTurn`). */
  readonly recordTurn = (event: TurnEvent): void => {
    this.messages.inc({ channel: event.channel, outcome: event.outcome });
    if (event.outcome !== 'flood') this.turnSeconds.observe({ channel: event.channel }, event.durationMs / 1000);
  };

  /** Records one webhook delivery. */
  recordWebhook(source: string, result: 'applied' | 'duplicate' | 'rejected' | 'failed'): void {
    this.webhooks.inc({ source, result });
  }
}
