/**
 * The whole service over HTTP on the web chat: a booking for tomorrow gets exactly one 24h and one 2h
 * reminder although the service restarts between them, and rescheduling from the reminder moves the
 * booking with its payment intact.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startApp, type RunningApp } from '../../../src/app.js';
import { loadConfig } from '../../../src/config.js';
import { clinicJobs } from '../../../src/services/scheduler/schedulerComponent.js';
import { history, newSessionId, say, type ChatMessage } from '../../http/helpers.js';
import { TestClock } from '../../support/clock.js';
import { ist } from './support.js';

const running: RunningApp[] = [];
const dirs: string[] = [];
afterEach(async () => {
  while (running.length > 0) await running.pop()!.close();
  while (dirs.length > 0) await rm(dirs.pop()!, { recursive: true, force: true });
});

/** Starts the real service on a data directory (the same one again is a restart). */
async function startService(dataDir: string, clock: TestClock): Promise<{ app: RunningApp; base: string }> {
  const app = await startApp(loadConfig({ PORT: '0', DATA_DIR: dataDir, LOG_LEVEL: 'silent' }), { host: '127.0.0.1', clock });
  running.push(app);
  return { app, base: `http://127.0.0.1:${new URL(app.url).port}` };
}

async function stop(app: RunningApp): Promise<void> {
  running.splice(running.indexOf(app), 1);
  await app.close();
}

/** What the scheduler's node-cron trigger does every minute: one run of the reminder job. */
async function reminderTick(app: RunningApp, clock: TestClock): Promise<unknown> {
  const job = clinicJobs(app.context).find((j) => j.name === 'reminders')!;
  return job.run(clock.now());
}

const option = (message: ChatMessage | undefined, label: string): string => {
  const found = message?.options?.find((o) => o.label.includes(label));
  if (!found) throw new Error(`no "${label}" in ${JSON.stringify(message)}`);
  return found.id;
};
const lastMenu = (messages: ChatMessage[]) => [...messages].reverse().find((m) => m.kind === 'menu');
const reminders = (messages: ChatMessage[]) => messages.filter((m) => m.kind === 'menu' && m.text.startsWith('⏰'));

describe('reminders over the web chat', () => {
  it('a booking for tomorrow gets one 24h and one 2h reminder across a restart, and reschedules from it with its payment', async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'clinic-reminders-'));
    dirs.push(dataDir);
    const clock = new TestClock(ist('2026-03-02T09:30')); // Monday
    const sid = newSessionId();

    // Book Dr. Asha Verma (sample) for Tuesday 10:00 AM, paying at the clinic.
    let first = await startService(dataDir, clock);
    for (const text of ['hi', 'book', 'Asha Rao', '98765 43210', '34', 'Female', 'fever for 3 days']) await say(first.base, sid, { text });
    let menu = lastMenu(await say(first.base, sid, { text: 'Asha Verma' }));
    while (!menu?.text.includes('Tue, 3 Mar 2026')) menu = lastMenu(await say(first.base, sid, { choice: option(menu, 'Later times') }));
    await say(first.base, sid, { choice: option(menu, '10:00 AM') });
    const confirmation = await say(first.base, sid, { text: 'Pay at the clinic' });
    const id = /ID: (APT-\w+)/.exec(confirmation.map((m) => m.text).join('\n'))?.[1];
    expect(id).toBeDefined();
    // Paid online meanwhile (as the payment webhook records it).
    const { store } = first.app.context;
    await store.updateAppointment(id!, { paymentMode: 'ONLINE', paymentStatus: 'PAID', paymentId: 'pay_29QQoUBi66xm2f' }, clock.now());

    clock.advanceMinutes(29); // Monday 09:59
    await reminderTick(first.app, clock);
    expect(reminders(await history(first.base, sid))).toHaveLength(0);
    clock.advanceMinutes(1); // Monday 10:00: 24 hours before
    await reminderTick(first.app, clock);
    await reminderTick(first.app, clock);
    const afterFirst = reminders(await history(first.base, sid));
    expect(afterFirst).toHaveLength(1);
    expect(afterFirst[0]?.text).toContain('When: Tue, 3 Mar 2026 at 10:00 AM IST');
    expect(afterFirst[0]?.options?.map((o) => o.label)).toEqual(['Confirm', 'Reschedule', 'Cancel']);

    // The service is down from Monday 12:00 until Tuesday 08:30, past the 2h reminder time.
    clock.advanceMinutes(120);
    await stop(first.app);
    clock.advanceMinutes(20 * 60 + 30);
    const second = await startService(dataDir, clock); // catches up at start
    await reminderTick(second.app, clock);
    const all = reminders(await history(second.base, sid));
    expect(all).toHaveLength(2);
    expect((await second.app.context.store.getAppointment(id!))?.remindersSent).toEqual(['24h', '2h']);

    // Reschedule from the 2h reminder to 11:00 AM the same day.
    const offer = await say(second.base, sid, { choice: option(all[1], 'Reschedule') });
    expect(lastMenu(offer)?.text).toContain('Your appointment with Dr. Asha Verma (sample) is on Tue, 3 Mar 2026 at 10:00 AM');
    const moved = await say(second.base, sid, { choice: option(lastMenu(offer), '11:00 AM') });
    expect(moved.map((m) => m.text).join('\n')).toContain(`${id} with Dr. Asha Verma (sample) is now on Tue, 3 Mar 2026 at 11:00 AM`);
    expect(await second.app.context.store.getAppointment(id!)).toMatchObject({
      status: 'CONFIRMED',
      date: '2026-03-03',
      time: '11:00',
      paymentMode: 'ONLINE',
      paymentStatus: 'PAID',
      paymentId: 'pay_29QQoUBi66xm2f',
      patient: { name: 'Asha Rao', phone: '+919876543210' },
    });

    // The new time is reminded once, two hours before it.
    await reminderTick(second.app, clock);
    expect(reminders(await history(second.base, sid))).toHaveLength(2);
    clock.advanceMinutes(30); // Tuesday 09:00
    await reminderTick(second.app, clock);
    await reminderTick(second.app, clock);
    const final = reminders(await history(second.base, sid));
    expect(final).toHaveLength(3);
    expect(final[2]?.text).toContain('When: Tue, 3 Mar 2026 at 11:00 AM');
    const health = (await (await fetch(`${second.base}/health`)).json()) as { features: Record<string, { on: boolean; detail: string }> };
    expect(health.features.reminders).toEqual({ on: true, detail: '24h, 2h before, Asia/Kolkata' });
  });
});
