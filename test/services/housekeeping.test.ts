import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runHousekeeping } from '../../src/services/housekeeping.js';
import { createHarness, type Harness } from '../support/engineHarness.js';
import { seedClinic, stateOf, walkTo } from '../support/clinicFixture.js';

let h: Harness;
beforeEach(async () => {
  h = createHarness();
  await seedClinic(h);
});
afterEach(async () => h.close());

describe('runHousekeeping', () => {
  it('expires lapsed holds, forgets idle conversations and deletes old transcripts', async () => {
    const outbox = h.outbox;
    const route = { channel: 'web', chatId: 'a-web-session-id-0000000001' } as const;
    await outbox.push(route, [{ kind: 'text', text: 'old' }], h.clock.now());
    await outbox.push({ channel: 'telegram', chatId: '42' }, [{ kind: 'text', text: 'not delivered yet' }], h.clock.now());
    const p = h.patient('abandoned');
    await walkTo(p, 'SELECTING_PAYMENT_MODE');
    const options = { store: h.store, sessions: h.sessions, outbox, clock: h.clock, logger: pino({ level: 'silent' }), sessionTtlHours: 24, transcriptDays: 30 };

    expect(await runHousekeeping(options)).toEqual({ expiredHolds: 0, idleSessions: 0, oldMessages: 0 });

    h.clock.advanceMinutes(31 * 24 * 60);
    const stored = (await outbox.listAfter(route, 0, 100)).length + (await outbox.listAfter(p.ref, 0, 100, { includePatient: true })).length;
    expect(await runHousekeeping(options)).toEqual({ expiredHolds: 1, idleSessions: 1, oldMessages: stored });
    expect((await h.store.listAppointments({ conversation: p.ref }))[0]?.status).toBe('EXPIRED');
    expect(await stateOf(h, p)).toBeUndefined();
    expect(await outbox.listAfter(route, 0, 10)).toEqual([]);
    // A message still waiting for delivery is never pruned.
    expect((await outbox.pendingHeads('telegram', 10)).map((e) => e.message)).toEqual([{ kind: 'text', text: 'not delivered yet' }]);
  });
});
