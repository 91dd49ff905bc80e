import path from 'node:path';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConversationEngine } from '../../../src/core/engine.js';
import type { Inbound } from '../../../src/core/messages.js';
import { OutboxAdminAlerts } from '../../../src/services/delivery/notifier.js';
import { LocalReportStorage } from '../../../src/services/files/reportStorage.js';
import { seedClinic } from '../../support/clinicFixture.js';
import { createHarness, type Harness } from '../../support/engineHarness.js';

const ADMIN_CHAT = { channel: 'telegram-admin', chatId: '111222333' } as const;

let h: Harness;
let engine: ConversationEngine;
beforeEach(async () => {
  h = createHarness();
  await seedClinic(h);
  const logger = pino({ level: 'silent' });
  // The harness's engine has no admin alerts; this one, on the same store, has.
  engine = new ConversationEngine({
    deps: {
      store: h.store,
      reports: new LocalReportStorage(path.join(h.dir, 'reports')),
      settings: h.settings,
      logger,
      alerts: new OutboxAdminAlerts({ outbox: h.outbox, clock: h.clock, logger, channel: ADMIN_CHAT.channel, adminChatIds: [ADMIN_CHAT.chatId] }),
    },
    sessions: h.sessions,
    outbox: h.outbox,
    files: h.documents,
    clock: h.clock,
    sessionTtlHours: 24,
  });
});
afterEach(async () => {
  await engine.close();
  await h.close();
});

let counter = 0;
/** A patient on this engine: text or the button whose label contains `label`. */
function patient(chatId: string) {
  let options: { id: string; label: string }[] = [];
  const send = async (content: Inbound['content']) => {
    const replies = await engine.handle({ channel: 'web', chatId, messageId: `a${++counter}`, receivedAt: h.clock.now(), content });
    for (const reply of replies) if (reply.kind === 'menu') options = reply.options;
    return replies;
  };
  return {
    say: (text: string) => send({ kind: 'text', text }),
    tap: (label: string) => {
      const option = options.find((o) => o.label.includes(label));
      if (!option) throw new Error(`no option ${label}`);
      return send({ kind: 'choice', optionId: option.id });
    },
  };
}

async function adminAlerts(): Promise<string[]> {
  const entries = await h.outbox.listAfter(ADMIN_CHAT, 0, 100);
  return entries.map((e) => ('text' in e.message ? e.message.text : ''));
}

describe('admin alerts from the booking flow', () => {
  it('tells admins of a confirmed booking and of a cancellation by the patient, without the phone', async () => {
    const p = patient('alert-patient');
    for (const step of ['hi', 'Book an appointment', 'Asha Rao', '98765 43210', '34', 'Female', 'Fever', 'Meera', '11:00 AM', 'Pay at the clinic']) {
      if (['Book an appointment', 'Female', 'Meera', '11:00 AM', 'Pay at the clinic'].includes(step)) await p.tap(step);
      else await p.say(step);
    }
    const [appointment] = await h.store.listAppointments({ conversation: { channel: 'web', chatId: 'alert-patient' } });
    expect(appointment?.status).toBe('CONFIRMED');
    expect(await adminAlerts()).toEqual([`🆕 New booking: ${appointment!.id} · Dr. Meera Iyer · Sat, 21 Nov 2026 at 11:00 AM · Asha`]);

    await p.say('menu');
    await p.tap('Cancel an appointment');
    await p.tap('11:00 AM');
    await p.tap('Yes, cancel it');
    const alerts = await adminAlerts();
    expect(alerts[1]).toBe(`❌ Cancelled by the patient: ${appointment!.id} · Dr. Meera Iyer · Sat, 21 Nov 2026 at 11:00 AM · Asha`);
    expect(alerts.join('\n')).not.toMatch(/98765|3210|Rao/);
    // Pending on the admin bot's route, for its sender to deliver.
    expect((await h.outbox.listAfter(ADMIN_CHAT, 0, 100)).every((e) => e.state === 'pending')).toBe(true);
  });
});
