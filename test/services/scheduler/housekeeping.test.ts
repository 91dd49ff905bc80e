/**
 * The hold-expiry sweep (the patient is told once) and the clean-up of idle conversations and old
 * transcripts.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { OutboxNotifier } from '../../../src/services/delivery/notifier.js';
import { cleanUp } from '../../../src/services/scheduler/jobs/cleanup.js';
import { expireLapsedHolds } from '../../../src/services/scheduler/jobs/holds.js';
import { SqliteRequestKeys } from '../../../src/store/sqlite/index.js';
import { createHarness, textOf, type Harness } from '../../support/engineHarness.js';
import { seedClinic, stateOf, walkTo } from '../../support/clinicFixture.js';
import { silentLogger } from './support.js';

let h: Harness;
beforeEach(async () => {
  h = createHarness();
  await seedClinic(h);
});
afterEach(async () => h.close());

const holdDeps = () => ({ store: h.store, notifier: new OutboxNotifier(h.outbox, h.documents, h.clock), logger: silentLogger });

describe('expireLapsedHolds', () => {
  it('expires a lapsed hold and tells the patient once; the chat then picks a time again', async () => {
    const p = h.patient('web-abandoned-000000000001');
    await walkTo(p, 'SELECTING_PAYMENT_MODE');
    expect(await expireLapsedHolds(h.clock.now(), holdDeps())).toEqual({ expired: 0 });

    h.clock.advanceMinutes(21);
    expect(await expireLapsedHolds(h.clock.now(), holdDeps())).toEqual({ expired: 1 });
    expect(await expireLapsedHolds(h.clock.now(), holdDeps())).toEqual({ expired: 0 });
    const [appointment] = await h.store.listAppointments({ conversation: p.ref });
    expect(appointment?.status).toBe('EXPIRED');

    const pushes = (await h.outbox.listAfter(p.ref, 0, 100)).filter((e) => e.inReplyTo === null);
    expect(pushes.map((e) => e.message)).toEqual([
      {
        kind: 'text',
        text: 'Your hold on Dr. Meera Iyer, Sat, 21 Nov 2026 at 11:00 AM has ended, so that time is free for others again. To book, choose "Book an appointment" in the menu.',
      },
    ]);
    expect(textOf(await p.tap('Pay at the clinic'))).toContain('Your hold on that time has ended');
  });

  it('a hold the patient gave back themselves is not announced', async () => {
    const p = h.patient('web-changed-mind-00000001');
    await walkTo(p, 'SELECTING_PAYMENT_MODE');
    await p.say('menu');
    h.clock.advanceMinutes(30);
    expect(await expireLapsedHolds(h.clock.now(), holdDeps())).toEqual({ expired: 0 });
    expect((await h.outbox.listAfter(p.ref, 0, 100)).filter((e) => e.inReplyTo === null)).toEqual([]);
  });
});

describe('cleanUp', () => {
  it('forgets idle conversations and deletes old transcripts, never undelivered messages', async () => {
    const route = { channel: 'web', chatId: 'a-web-session-id-0000000001' } as const;
    await h.outbox.push(route, [{ kind: 'text', text: 'old' }], h.clock.now());
    await h.outbox.push({ channel: 'telegram', chatId: '42' }, [{ kind: 'text', text: 'not delivered yet' }], h.clock.now());
    const p = h.patient('idle-patient-000000000001');
    await p.say('hi');
    const deps = { sessions: h.sessions, outbox: h.outbox, sessionTtlHours: 24, transcriptDays: 30 };

    expect(await cleanUp(h.clock.now(), deps)).toEqual({ idleSessions: 0, oldMessages: 0 });
    h.clock.advanceMinutes(25 * 60);
    expect(await cleanUp(h.clock.now(), deps)).toEqual({ idleSessions: 1, oldMessages: 0 });
    expect(await stateOf(h, p)).toBeUndefined();

    h.clock.advanceMinutes(30 * 24 * 60);
    const stored = (await h.outbox.listAfter(route, 0, 100)).length + (await h.outbox.listAfter(p.ref, 0, 100, { includePatient: true })).length;
    expect(await cleanUp(h.clock.now(), deps)).toEqual({ idleSessions: 0, oldMessages: stored });
    expect(await h.outbox.listAfter(route, 0, 10)).toEqual([]);
    expect((await h.outbox.pendingHeads('telegram', 10)).map((e) => e.message)).toEqual([{ kind: 'text', text: 'not delivered yet' }]);
  });

  it("forgets the web chat's Idempotency-Keys with the transcripts", async () => {
    const requestKeys = new SqliteRequestKeys(h.db);
    await requestKeys.claim('a-web-session-id-0000000001', 'k1', 'fp-hi', h.clock.now());
    const deps = { sessions: h.sessions, outbox: h.outbox, requestKeys, sessionTtlHours: 24, transcriptDays: 30 };
    expect(await cleanUp(h.clock.now(), deps)).toMatchObject({ oldRequestKeys: 0 });
    h.clock.advanceMinutes(31 * 24 * 60);
    expect(await cleanUp(h.clock.now(), deps)).toMatchObject({ oldRequestKeys: 1 });
    expect(await requestKeys.claim('a-web-session-id-0000000001', 'k1', 'fp-other', h.clock.now())).toBe(true);
  });
});
