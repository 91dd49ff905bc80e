/**
 * The clinic's clock as an app component: reminders, the hold-expiry sweep, no-shows, the daily
 * agenda, clean-up and (where payments exist) payment reconciliation, all on one node-cron scheduler
 * in the clinic's time zone.
 */
import type { AppComponent, AppContext } from '../../component.js';
import type { FeatureStatus } from '../../features.js';
import { sendDailyAgenda } from './jobs/agenda.js';
import { cleanUp } from './jobs/cleanup.js';
import { expireLapsedHolds } from './jobs/holds.js';
import { markNoShows } from './jobs/noShows.js';
import { sendDueReminders } from './jobs/reminders.js';
import { JobScheduler, type ScheduledJob } from './jobScheduler.js';
import { offsetLabel } from './timing.js';

export interface SchedulerComponentOptions {
  /** Delivered messages (the stored conversations) older than this are deleted. Default 30. */
  transcriptDays?: number;
  /** More jobs on the same scheduler, e.g. {@link paymentReconciliationJob}. */
  extraJobs?: readonly ScheduledJob[];
}

/**
 * Payment reconciliation on the clinic's scheduler: every 5 minutes and once at start, since webhooks
 * may have been missed while the service was down.
 */
export function paymentReconciliationJob(reconcilePayments: (now: Date) => Promise<unknown>): ScheduledJob {
  return { name: 'payments', cron: '*/5 * * * *', catchUpAtStart: true, run: reconcilePayments };
}

/**
 * Confirmation PDFs owed to patients (normally sent right after the booking's turn): every minute and
 * once at start, for any that a crash or a failed render left behind.
 */
export function owedDocumentsJob(sendOwed: () => Promise<unknown>): ScheduledJob {
  return {
    name: 'documents',
    cron: '* * * * *',
    catchUpAtStart: true,
    // Started, not awaited: rendering a backlog must not hold up start-up, and a drain already
    // running is joined rather than doubled.
    run: async () => {
      // Each document's failure is logged and kept for the next sweep where it happens.
      sendOwed().catch(() => undefined);
      return 'started';
    },
  };
}

/** "reminders: on (24h, 2h before, Asia/Kolkata)". */
export function remindersFeature(offsetsMinutes: readonly number[], timezone: string): FeatureStatus {
  return { name: 'reminders', kind: 'service', on: true, detail: `${offsetsMinutes.map(offsetLabel).join(', ')} before, ${timezone}` };
}

/** node-cron expression for a daily clinic-local `HH:mm`. */
function dailyAt(time: string): string {
  const [hours, minutes] = time.split(':').map(Number);
  return `${minutes} ${hours} * * *`;
}

/** Every job of the clinic's day, built from the shared context. */
export function clinicJobs(ctx: AppContext, options: SchedulerComponentOptions = {}): ScheduledJob[] {
  const { config, store, notifier, sessions, outbox, engine, alerts, logger } = ctx;
  const clinic = config.clinic;
  return [
    {
      name: 'reminders',
      cron: '* * * * *',
      catchUpAtStart: true,
      run: (now) =>
        sendDueReminders(now, {
          store,
          notifier,
          sessions,
          conversations: engine,
          clinic,
          offsetsMinutes: config.reminderOffsetsMinutes,
          sessionTtlHours: config.sessionTtlHours,
          logger,
        }),
    },
    { name: 'holds', cron: '* * * * *', catchUpAtStart: true, run: (now) => expireLapsedHolds(now, { store, notifier, logger }) },
    {
      name: 'no-shows',
      cron: '*/5 * * * *',
      catchUpAtStart: true,
      run: (now) => markNoShows(now, { store, timezone: clinic.timezone, graceMinutes: config.noShowGraceMinutes, logger }),
    },
    {
      name: 'agenda',
      cron: dailyAt(config.agendaTime),
      catchUpAtStart: true,
      run: (now) => sendDailyAgenda(now, { store, alerts, clinic, agendaTime: config.agendaTime }),
    },
    {
      name: 'cleanup',
      cron: '*/10 * * * *',
      catchUpAtStart: true,
      run: (now) =>
        cleanUp(now, {
          sessions,
          outbox,
          requestKeys: ctx.requestKeys,
          sessionTtlHours: config.sessionTtlHours,
          transcriptDays: options.transcriptDays ?? 30,
        }),
    },
    ...(options.extraJobs ?? []),
  ];
}

/** Builds the scheduler component; its jobs start once the HTTP server listens. */
export async function createSchedulerComponent(ctx: AppContext, options: SchedulerComponentOptions = {}): Promise<AppComponent> {
  const scheduler = new JobScheduler({ jobs: clinicJobs(ctx, options), clock: ctx.clock, logger: ctx.logger, timezone: ctx.config.clinic.timezone });
  return {
    name: 'scheduler',
    feature: remindersFeature(ctx.config.reminderOffsetsMinutes, ctx.config.clinic.timezone),
    health: async () => ({ ok: true, lastRuns: scheduler.lastRuns() }),
    start: () => scheduler.start(),
    stop: () => scheduler.stop(),
  };
}
