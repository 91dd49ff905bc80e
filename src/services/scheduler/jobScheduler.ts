/**
 * Triggers the clinic's jobs with node-cron, in the clinic's time zone. node-cron only says "now";
 * each job is a plain function of the current instant (from the injected clock) and its
 * dependencies, so tests call the jobs directly and never wait for a timer.
 *
 * A job never runs twice at once: node-cron's noOverlap skips a trigger while the previous run is
 * busy, and {@link JobScheduler.run} refuses a second concurrent run itself too (a catch-up run at
 * start racing the first trigger).
 */
import cron, { type ScheduledTask } from 'node-cron';
import { ClinicError } from '../../core/errors.js';
import type { CoreLogger } from '../../core/flow/turn.js';
import type { Clock } from '../../core/ports.js';

/** One job on the scheduler. */
export interface ScheduledJob {
  /** Unique, short, used in logs ("reminders"). */
  name: string;
  /** node-cron expression, read in the clinic's time zone ("* * * * *" = every minute). */
  cron: string;
  /**
   * Also run once when the scheduler starts: node-cron does not replay triggers missed while the
   * service was down, so jobs that catch up from the data (reminders, holds, the agenda) say so.
   */
  catchUpAtStart?: boolean;
  /** The work; resolves with a summary for the logs. */
  run(now: Date): Promise<unknown>;
}

/** What one run of a job came to. */
export type JobOutcome =
  | { job: string; status: 'done'; result: unknown }
  | { job: string; status: 'skipped'; reason: 'already running' | 'stopped' }
  | { job: string; status: 'failed'; error: unknown };

/** A job list the scheduler cannot run (unknown name, bad cron expression, duplicate name). */
export class SchedulerSetupError extends ClinicError {}

export interface JobSchedulerOptions {
  jobs: readonly ScheduledJob[];
  clock: Clock;
  logger: CoreLogger;
  /** IANA zone the cron expressions are read in (CLINIC_TIMEZONE). */
  timezone: string;
}

export class JobScheduler {
  private readonly jobs = new Map<string, ScheduledJob>();
  private readonly running = new Map<string, Promise<JobOutcome>>();
  private readonly lastOutcomes = new Map<string, { at: string; status: JobOutcome['status'] }>();
  private tasks: ScheduledTask[] = [];
  private stopped = false;

  constructor(private readonly options: JobSchedulerOptions) {
    for (const job of options.jobs) {
      if (this.jobs.has(job.name)) throw new SchedulerSetupError(`Two scheduled jobs are named "${job.name}"; give each a unique name.`);
      if (!cron.validate(job.cron)) throw new SchedulerSetupError(`Job "${job.name}" has an invalid cron expression "${job.cron}".`);
      this.jobs.set(job.name, job);
    }
  }

  /** Runs the catch-up jobs once (awaited), then starts the cron triggers. */
  async start(): Promise<void> {
    const { timezone, logger } = this.options;
    for (const job of this.jobs.values()) {
      if (job.catchUpAtStart) await this.run(job.name);
    }
    if (this.stopped) return;
    for (const job of this.jobs.values()) {
      const task = cron.createTask(job.cron, () => this.run(job.name), {
        name: `clinic:${job.name}`,
        timezone,
        noOverlap: true,
        // The HTTP server keeps the process alive; a trigger alone should not.
        unref: true,
        logger: cronLogger(logger),
      });
      this.tasks.push(task);
      await task.start();
    }
  }

  /** Runs a job now, unless it is already running; never throws (failures are logged and returned). */
  run(name: string): Promise<JobOutcome> {
    const job = this.jobs.get(name);
    if (!job) return Promise.reject(new SchedulerSetupError(`No scheduled job is named "${name}".`));
    if (this.stopped) return Promise.resolve({ job: name, status: 'skipped', reason: 'stopped' });
    if (this.running.has(name)) {
      this.options.logger.debug({ job: name }, 'job still running; this trigger is skipped');
      return Promise.resolve({ job: name, status: 'skipped', reason: 'already running' });
    }
    const now = this.options.clock.now();
    const outcome = (async (): Promise<JobOutcome> => {
      try {
        const result = await job.run(now);
        this.options.logger.debug({ job: name, result }, 'job done');
        return { job: name, status: 'done', result };
      } catch (error) {
        this.options.logger.error({ err: error, job: name }, 'job failed; it runs again at its next time');
        return { job: name, status: 'failed', error };
      }
    })();
    this.running.set(name, outcome);
    void outcome.then((done) => {
      this.running.delete(name);
      this.lastOutcomes.set(name, { at: now.toISOString(), status: done.status });
    });
    return outcome;
  }

  /** When node-cron triggers the job next (null before start or after stop). */
  nextRun(name: string): Date | null {
    return this.tasks.find((task) => task.name === `clinic:${name}`)?.getNextRun() ?? null;
  }

  /** Last finished run of each job, for /health. */
  lastRuns(): Record<string, { at: string; status: JobOutcome['status'] }> {
    return Object.fromEntries(this.lastOutcomes);
  }

  /** Stops the triggers and waits for the runs in progress. */
  async stop(): Promise<void> {
    this.stopped = true;
    const tasks = this.tasks;
    this.tasks = [];
    for (const task of tasks) await task.destroy();
    await Promise.allSettled([...this.running.values()]);
  }
}

/** node-cron's own messages (missed triggers after a blocked event loop) into our log. */
function cronLogger(logger: CoreLogger): NonNullable<Parameters<typeof cron.createTask>[2]>['logger'] {
  return {
    info: (message) => logger.debug({ source: 'node-cron' }, message),
    warn: (message) => logger.debug({ source: 'node-cron' }, message),
    error: (message, err) => logger.error({ source: 'node-cron', err: err ?? message }, 'node-cron error'),
    debug: (message) => logger.debug({ source: 'node-cron' }, String(message)),
  };
}
