/**
 * Past appointments become NO_SHOW after the grace period, unless an admin marked them done.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ClinicAdminConsole } from '../../../src/core/admin/index.js';
import { OutboxNotifier } from '../../../src/services/delivery/notifier.js';
import { LocalReportStorage } from '../../../src/services/files/reportStorage.js';
import { markNoShows } from '../../../src/services/scheduler/jobs/noShows.js';
import { SqliteAdminLogins, SqliteAuditLog } from '../../../src/store/sqlite/auditLog.js';
import { createHarness, textOf, type Harness } from '../../support/engineHarness.js';
import { book, ist, seedDays, setClock, silentLogger } from './support.js';

let h: Harness;
beforeEach(async () => {
  h = createHarness({ now: ist('2026-11-21T10:00') });
  await seedDays(h);
});
afterEach(async () => h.close());

const run = () => markNoShows(h.clock.now(), { store: h.store, timezone: 'Asia/Kolkata', graceMinutes: 120, logger: silentLogger });

describe('markNoShows', () => {
  it('marks a confirmed appointment NO_SHOW two hours after its start, not before', async () => {
    const appointment = await book(h, 'gp-2026-11-22-0900');
    setClock(h, ist('2026-11-22T10:59'));
    expect(await run()).toEqual({ marked: [] });
    setClock(h, ist('2026-11-22T11:00'));
    expect(await run()).toEqual({ marked: [appointment.id] });
    expect((await h.store.getAppointment(appointment.id))?.status).toBe('NO_SHOW');
    expect(await run()).toEqual({ marked: [] });
  });

  it('leaves appointments marked done (COMPLETED), cancelled or still ahead alone, also across midnight', async () => {
    const done = await book(h, 'gp-2026-11-22-0900', { channel: 'web', chatId: 'done-chat-000000000000001' });
    const cancelled = await book(h, 'gp-2026-11-22-1000', { channel: 'web', chatId: 'cancel-chat-0000000000001' });
    const lateNight = await book(h, 'gp-2026-11-23-0030', { channel: 'web', chatId: 'night-chat-00000000000001' });
    const ahead = await book(h, 'gp-2026-11-23-1000', { channel: 'web', chatId: 'ahead-chat-00000000000001' });
    setClock(h, ist('2026-11-22T09:45'));
    await h.store.updateAppointment(done.id, { status: 'COMPLETED' }, h.clock.now());
    await h.store.updateAppointment(cancelled.id, { status: 'CANCELLED' }, h.clock.now());

    setClock(h, ist('2026-11-23T02:29'));
    expect(await run()).toEqual({ marked: [] });
    setClock(h, ist('2026-11-23T02:30'));
    expect(await run()).toEqual({ marked: [lateNight.id] });

    const statuses = await Promise.all([done, cancelled, lateNight, ahead].map(async (a) => (await h.store.getAppointment(a.id))?.status));
    expect(statuses).toEqual(['COMPLETED', 'CANCELLED', 'NO_SHOW', 'CONFIRMED']);
  });

  it("an admin's /done before the grace period ends keeps the visit COMPLETED", async () => {
    const appointment = await book(h, 'gp-2026-11-22-0900');
    const admin = new ClinicAdminConsole({
      store: h.store,
      notifier: new OutboxNotifier(h.outbox, h.documents, h.clock),
      outbox: h.outbox,
      reports: new LocalReportStorage(`${h.dir}/reports`),
      audit: new SqliteAuditLog(h.db),
      logins: new SqliteAdminLogins(h.db),
      adminIds: ['111'],
      clinic: h.settings.clinic,
      phoneRegion: 'IN',
    });
    setClock(h, ist('2026-11-22T09:40'));
    const replies = await admin.handle({ channel: 'telegram-admin', chatId: '111', userId: '111', text: `/done ${appointment.id}`, now: h.clock.now() });
    expect(textOf(replies ?? [])).toContain('marked done');

    setClock(h, ist('2026-11-22T12:00'));
    expect(await run()).toEqual({ marked: [] });
    expect((await h.store.getAppointment(appointment.id))?.status).toBe('COMPLETED');
  });
});
