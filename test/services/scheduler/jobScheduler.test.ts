/**
 * The node-cron scheduler: triggers in the clinic's zone, catch-up at start, no overlapping runs, a
 * failing job that does not stop the others, and a clean stop. Runs are driven by hand: no timers.
 */
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config.js';
import { describeFeatures } from '../../../src/features.js';
import { paymentReconciliationJob, remindersFeature } from '../../../src/services/scheduler/schedulerComponent.js';
import { JobScheduler, SchedulerSetupError, type ScheduledJob } from '../../../src/services/scheduler/jobScheduler.js';
import { TestClock } from '../../support/clock.js';
import { ist, silentLogger } from './support.js';

/** A promise the test settles when it wants. */
function deferred<T = void>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

const clock = new TestClock(ist('2026-11-21T10:00'));
const scheduler = (jobs: ScheduledJob[]) => new JobScheduler({ jobs, clock, logger: silentLogger, timezone: 'Asia/Kolkata' });

describe('JobScheduler', () => {
  it('refuses a bad cron expression or two jobs of the same name', () => {
    const run = async () => undefined;
    expect(() => scheduler([{ name: 'x', cron: 'every minute', run }])).toThrow(SchedulerSetupError);
    expect(() => scheduler([{ name: 'x', cron: '* * * * *', run }, { name: 'x', cron: '*/5 * * * *', run }])).toThrow(/Two scheduled jobs/);
  });

  it('runs the catch-up jobs once at start, with the clock’s instant, before it returns', async () => {
    const seen: [string, Date][] = [];
    const s = scheduler([
      { name: 'reminders', cron: '* * * * *', catchUpAtStart: true, run: async (now) => void seen.push(['reminders', now]) },
      { name: 'weekly', cron: '0 9 * * 1', run: async (now) => void seen.push(['weekly', now]) },
    ]);
    try {
      await s.start();
      expect(seen).toEqual([['reminders', ist('2026-11-21T10:00')]]);
    } finally {
      await s.stop();
    }
  });

  it('triggers a daily job at its clinic-local time (node-cron in CLINIC_TIMEZONE)', async () => {
    const s = scheduler([{ name: 'agenda', cron: '0 8 * * *', run: async () => undefined }]);
    try {
      await s.start();
      const next = s.nextRun('agenda');
      expect(next).not.toBeNull();
      expect(DateTime.fromJSDate(next!, { zone: 'Asia/Kolkata' }).toFormat('HH:mm')).toBe('08:00');
      expect(DateTime.fromJSDate(next!, { zone: 'UTC' }).toFormat('HH:mm')).toBe('02:30');
    } finally {
      await s.stop();
    }
    expect(s.nextRun('agenda')).toBeNull();
  });

  it('never runs a job twice at once, while other jobs run alongside', async () => {
    const gate = deferred();
    let reminderRuns = 0;
    let holdRuns = 0;
    const s = scheduler([
      { name: 'reminders', cron: '* * * * *', run: async () => { reminderRuns += 1; await gate.promise; return 'sent 1'; } },
      { name: 'holds', cron: '* * * * *', run: async () => { holdRuns += 1; } },
    ]);
    const first = s.run('reminders');
    const second = await s.run('reminders');
    expect(second).toEqual({ job: 'reminders', status: 'skipped', reason: 'already running' });
    expect(await s.run('holds')).toMatchObject({ status: 'done' });
    gate.resolve();
    expect(await first).toEqual({ job: 'reminders', status: 'done', result: 'sent 1' });
    expect(await s.run('reminders')).toMatchObject({ status: 'done' });
    expect([reminderRuns, holdRuns]).toEqual([2, 1]);
    expect(s.lastRuns()).toEqual({ reminders: { at: ist('2026-11-21T10:00').toISOString(), status: 'done' }, holds: expect.any(Object) });
  });

  it('a failing job is reported and runs again next time; it never throws into node-cron', async () => {
    let attempts = 0;
    const s = scheduler([
      {
        name: 'flaky',
        cron: '* * * * *',
        run: async () => {
          attempts += 1;
          if (attempts === 1) throw new Error('database is locked');
          return 'ok';
        },
      },
    ]);
    expect(await s.run('flaky')).toMatchObject({ status: 'failed', error: new Error('database is locked') });
    expect(await s.run('flaky')).toEqual({ job: 'flaky', status: 'done', result: 'ok' });
    await expect(s.run('nope')).rejects.toBeInstanceOf(SchedulerSetupError);
  });

  it('stop waits for the run in progress and takes no new runs', async () => {
    const gate = deferred();
    let finished = false;
    const s = scheduler([{ name: 'slow', cron: '* * * * *', run: async () => { await gate.promise; finished = true; } }]);
    await s.start();
    const running = s.run('slow');
    const stopped = s.stop();
    expect(await s.run('slow')).toEqual({ job: 'slow', status: 'skipped', reason: 'stopped' });
    gate.resolve();
    await stopped;
    expect(finished).toBe(true);
    expect(await running).toMatchObject({ status: 'done' });
  });
});

describe('the start-up line', () => {
  it('says "reminders: on (24h, 2h before, Asia/Kolkata)" by default and follows REMINDER_OFFSETS', () => {
    expect(remindersFeature([1440, 120], 'Asia/Kolkata')).toEqual({ name: 'reminders', kind: 'service', on: true, detail: '24h, 2h before, Asia/Kolkata' });
    const config = loadConfig({ REMINDER_OFFSETS: '2d,90m', CLINIC_TIMEZONE: 'Asia/Dubai' });
    expect(describeFeatures(config, 'http://localhost:3000').find((f) => f.name === 'reminders')?.detail).toBe('48h, 90m before, Asia/Dubai');
    expect(remindersFeature(config.reminderOffsetsMinutes, config.clinic.timezone).detail).toBe('48h, 90m before, Asia/Dubai');
  });
});

describe('payment reconciliation on the scheduler', () => {
  it('runs at start and every five minutes beside the other jobs', async () => {
    const calls: Date[] = [];
    const job = paymentReconciliationJob(async (now) => void calls.push(now));
    expect(job).toMatchObject({ name: 'payments', cron: '*/5 * * * *', catchUpAtStart: true });
    const s = scheduler([job]);
    try {
      await s.start();
      expect(calls).toEqual([ist('2026-11-21T10:00')]);
      expect(DateTime.fromJSDate(s.nextRun('payments')!).minute % 5).toBe(0);
    } finally {
      await s.stop();
    }
  });
});
