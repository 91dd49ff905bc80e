/**
 * The admin console on the real engine harness (real SQLite, TestClock): patients book through the
 * booking flow, admins type commands.
 */
import path from 'node:path';
import { pino } from 'pino';
import type { Appointment } from '../../../src/core/domain.js';
import { ClinicAdminConsole, type AdminConsoleOptions } from '../../../src/core/admin/index.js';
import type { DeliveryChannel } from '../../../src/core/delivery.js';
import type { Channel, Outbound } from '../../../src/core/messages.js';
import { OutboxAdminAlerts, OutboxNotifier } from '../../../src/services/delivery/notifier.js';
import { LocalReportStorage } from '../../../src/services/files/reportStorage.js';
import { SqliteAdminLogins, SqliteAuditLog } from '../../../src/store/sqlite/auditLog.js';
import { seedClinic } from '../../support/clinicFixture.js';
import type { Patient } from '../../support/clinicFixture.js';
import { createHarness, TEST_SETTINGS, type Harness } from '../../support/engineHarness.js';

export const ADMIN_ID = '111222333';
export const OTHER_ADMIN_ID = '444555666';
export const STRANGER_ID = '999888777';
export const PASSWORD = 'correct horse  battery';

export type AdminSetup = Awaited<ReturnType<typeof createAdminSetup>>;

export async function createAdminSetup(options: Partial<AdminConsoleOptions> = {}) {
  const h = createHarness();
  await seedClinic(h);
  const logger = pino({ level: 'silent' });
  const audit = new SqliteAuditLog(h.db);
  const paidAtClinic: Appointment[] = [];
  const build = (extra: Partial<AdminConsoleOptions> = {}) =>
    new ClinicAdminConsole({
      store: h.store,
      notifier: new OutboxNotifier(h.outbox, h.documents, h.clock),
      outbox: h.outbox,
      // The harness keeps patients' reports in the same private directory.
      reports: new LocalReportStorage(path.join(h.dir, 'reports')),
      audit,
      logins: new SqliteAdminLogins(h.db),
      adminIds: [ADMIN_ID, OTHER_ADMIN_ID],
      clinic: TEST_SETTINGS.clinic,
      phoneRegion: 'IN',
      alerts: new OutboxAdminAlerts({ outbox: h.outbox, clock: h.clock, logger, channel: 'telegram-admin', adminChatIds: [ADMIN_ID, OTHER_ADMIN_ID] }),
      onPaidAtClinic: async (appointment) => {
        paidAtClinic.push(appointment);
      },
      logger,
      ...options,
      ...extra,
    });
  let console = build();

  /** Sends a command as `userId` in their private chat (or in `chatId`). */
  function as(userId: string, text: string, chatId = userId, channel: DeliveryChannel = 'telegram-admin'): Promise<Outbound[] | undefined> {
    return console.handle({ channel, chatId, userId, text, now: h.clock.now() });
  }

  return {
    h,
    audit,
    paidAtClinic,
    get console() {
      return console;
    },
    /** A new console on the same database, as after a restart. */
    restart(extra: Partial<AdminConsoleOptions> = {}) {
      console = build(extra);
    },
    as,
    admin: (text: string) => as(ADMIN_ID, text),
    stranger: (text: string) => as(STRANGER_ID, text),
    close: () => h.close(),
  };
}

/** The text of the replies, joined. */
export function said(replies: Outbound[] | undefined): string {
  if (!replies) throw new Error('The console did not answer (undefined)');
  return replies.map((r) => ('text' in r ? r.text : r.kind === 'document' ? r.caption : '')).join('\n');
}

export interface BookingInput {
  name?: string;
  phone?: string;
  /** Label of the time in the slot menu, e.g. "11:30 AM". */
  time?: string;
  channel?: Channel;
}

/** Books an appointment with Dr. Meera Iyer through the patient flow and returns it. */
export async function book(h: Harness, chatId: string, input: BookingInput = {}): Promise<Appointment> {
  return bookAs(h, h.patient(chatId, { channel: input.channel ?? 'web' }), input);
}

/** Books as the given patient, who stays at the report question afterwards. */
export async function bookAs(h: Harness, p: Patient, input: BookingInput = {}): Promise<Appointment> {
  const time = input.time ?? '11:00 AM';
  await p.say('hi');
  await p.tap('Book an appointment');
  await p.say(input.name ?? 'Asha Rao');
  await p.say(input.phone ?? '98765 43210');
  await p.say('34');
  await p.tap('Female');
  await p.say('Fever for 3 days');
  await p.tap('Meera');
  while (!p.lastMenu?.options.some((o) => o.label.startsWith(time))) {
    const later = p.lastMenu?.options.find((o) => /later/i.test(o.label));
    if (!later) throw new Error(`No time ${time} offered: ${JSON.stringify(p.lastMenu?.options.map((o) => o.label))}`);
    await p.choose(later.id);
  }
  await p.tap(time);
  await p.tap('Pay at the clinic');
  const [appointment] = await h.store.listAppointments({ conversation: p.ref });
  if (appointment?.status !== 'CONFIRMED') throw new Error(`Booking for ${p.chatId} did not complete: ${appointment?.status}`);
  return appointment;
}
