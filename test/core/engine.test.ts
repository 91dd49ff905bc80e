import path from 'node:path';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConversationEngine, EngineClosedError } from '../../src/core/engine.js';
import { LocalReportStorage } from '../../src/services/files/reportStorage.js';
import { openClinicDatabase, SqliteClinicStore, SqliteOutbox, SqliteSessionStore } from '../../src/store/sqlite/index.js';
import { createHarness, menuLabels, TEST_SETTINGS, textOf, type Harness } from '../support/engineHarness.js';
import { seedClinic, stateOf, walkTo } from '../support/clinicFixture.js';

let h: Harness;
beforeEach(async () => {
  h = createHarness();
  await seedClinic(h);
});
afterEach(async () => h.close());

describe('ConversationEngine', () => {
  it('drops a duplicate delivery of the same message id', async () => {
    const p = h.patient('dup');
    await walkTo(p, 'AWAITING_NAME');
    const first = await p.send({ kind: 'text', text: 'Asha Rao' }, 'same-id');
    const again = await p.send({ kind: 'text', text: 'Asha Rao' }, 'same-id');
    expect(first.length).toBeGreaterThan(0);
    expect(again).toEqual([]);
    expect(await stateOf(h, p)).toBe('AWAITING_PHONE');
  });

  it('handles the messages of one chat strictly in order, even when they arrive together', async () => {
    const p = h.patient('burst');
    await walkTo(p, 'AWAITING_NAME');
    const [name, phone, age] = await Promise.all([p.say('Asha Rao'), p.say('98765 43210'), p.say('34')]);
    expect(name[0]?.kind).toBe('ask-contact');
    expect(textOf(phone)).toContain('How old');
    expect(menuLabels(age)).toContain('Female');
    expect((await h.sessions.load(p.ref))?.draft).toMatchObject({ name: 'Asha Rao', phone: '+919876543210', age: 34 });
  });

  it('keeps chats apart: the same chat id on two channels is two conversations', async () => {
    const web = h.patient('42', { channel: 'web' });
    const telegram = h.patient('42', { channel: 'telegram' });
    await walkTo(web, 'AWAITING_AGE');
    await telegram.say('hi');
    expect(await stateOf(h, web)).toBe('AWAITING_AGE');
    expect(await stateOf(h, telegram)).toBe('IDLE');
  });

  it('starts again after SESSION_TTL_HOURS of silence, and says so', async () => {
    const p = h.patient('sleepy');
    await walkTo(p, 'AWAITING_AGE');
    h.clock.advanceMinutes(24 * 60 + 1);
    const replies = await p.say('34');
    expect(textOf(replies)).toContain('timed out');
    expect(menuLabels(replies)[0]).toBe('Book an appointment');
    expect(await stateOf(h, p)).toBe('IDLE');
  });

  it('resumes a conversation from the stored session after a restart', async () => {
    const p = h.patient('restart');
    await walkTo(p, 'AWAITING_GENDER');
    await h.engine.close();
    // A new engine on the same database file, as after a process restart.
    const db = openClinicDatabase(path.join(h.dir, 'clinic.db'));
    const store = new SqliteClinicStore(db);
    const engine = new ConversationEngine({
      deps: { store, reports: new LocalReportStorage(path.join(h.dir, 'reports')), settings: TEST_SETTINGS, logger: pino({ level: 'silent' }) },
      sessions: new SqliteSessionStore(db),
      outbox: new SqliteOutbox(db),
      files: h.documents,
      clock: h.clock,
      sessionTtlHours: 24,
    });
    const replies = await engine.handle({ channel: 'web', chatId: 'restart', messageId: 'after-restart', receivedAt: h.clock.now(), content: { kind: 'text', text: 'female' } });
    expect(textOf(replies)).toContain('what is the visit for');
    await engine.close();
    await store.close();
  });

  it('refuses new messages once closed, after finishing the ones in progress', async () => {
    const p = h.patient('closing');
    const inFlight = p.say('hi');
    const closed = h.engine.close();
    await expect(p.say('again')).rejects.toBeInstanceOf(EngineClosedError);
    expect(menuLabels(await inFlight)[0]).toBe('Book an appointment');
    await closed;
  });

  it('handles many chats at once', async () => {
    const patients = Array.from({ length: 30 }, (_, i) => h.patient(`many-${i}`));
    await Promise.all(patients.map((p) => walkTo(p, 'SELECTING_DOCTOR')));
    for (const p of patients) expect(await stateOf(h, p)).toBe('SELECTING_DOCTOR');
  });
});
