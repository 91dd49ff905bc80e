/**
 * Drives the real conversation engine on a real SQLite store with a controllable clock, the way a
 * channel adapter would, and lets tests talk as patients ("say", "tap").
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { ConversationEngine } from '../../src/core/engine.js';
import type { FlowDeps, FlowSettings } from '../../src/core/flow/turn.js';
import type { Doctor, Slot } from '../../src/core/domain.js';
import type { Channel, Inbound, InboundContent, Outbound } from '../../src/core/messages.js';
import type { IntentDetector, ReportStorage } from '../../src/core/ports.js';
import { TestClock } from './clock.js';
import { LocalReportStorage } from '../../src/services/files/reportStorage.js';
import { DocumentVault } from '../../src/services/files/documentVault.js';
import { openClinicDatabase, SqliteClinicStore, SqliteOutbox, SqliteSessionStore } from '../../src/store/sqlite/index.js';

/** 10:00 on Saturday 21 Nov 2026 in Asia/Kolkata. */
export const SATURDAY_10AM_IST = new Date('2026-11-21T04:30:00.000Z');

export const TEST_SETTINGS: FlowSettings = {
  clinic: { name: 'Test Clinic', address: '1 Test Road', phone: '+91 80 1234 5678', timezone: 'Asia/Kolkata', currency: 'INR' },
  phoneRegion: 'IN',
  holdMinutes: 20,
  maxUploadBytes: 1024 * 1024,
  slotPageSize: 4,
  bookingWindowDays: 30,
  maxReportsPerAppointment: 3,
};

export function doctor(id: string, fields: Partial<Doctor> = {}): Doctor {
  return { id, name: `Dr. ${id}`, specialty: 'General Physician', fee: 500, active: true, languages: ['English'], notes: '', ...fields };
}

export function slot(id: string, doctorId: string, date: string, start: string, fields: Partial<Slot> = {}): Slot {
  const [h, m] = start.split(':').map(Number) as [number, number];
  const endMinutes = h * 60 + m + 30;
  const end = `${String(Math.floor(endMinutes / 60)).padStart(2, '0')}:${String(endMinutes % 60).padStart(2, '0')}`;
  return { id, doctorId, date, start, end, capacity: 1, status: 'OPEN', notes: '', ...fields };
}

export interface HarnessOptions {
  now?: Date;
  settings?: Partial<FlowSettings>;
  /** Replaces the private report storage (e.g. one whose directory cannot be written). */
  reports?: ReportStorage;
  sessionTtlHours?: number;
  /** Understands free text and voice notes (e.g. the rule-based detector, or Gemini against its emulator). */
  intents?: IntentDetector;
  /** More flow dependencies, built on the harness's own parts (e.g. payments and documents). */
  deps?: (parts: HarnessParts) => Partial<FlowDeps>;
}

/** What {@link HarnessOptions.deps} may build on. */
export interface HarnessParts {
  db: ReturnType<typeof openClinicDatabase>;
  store: SqliteClinicStore;
  outbox: SqliteOutbox;
  documents: DocumentVault;
  clock: TestClock;
}

export type Harness = ReturnType<typeof createHarness>;

/** A fresh engine on a fresh database file in a temp directory. */
export function createHarness(options: HarnessOptions = {}) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'clinic-flow-'));
  const db = openClinicDatabase(path.join(dir, 'clinic.db'));
  const store = new SqliteClinicStore(db);
  const outbox = new SqliteOutbox(db);
  const sessions = new SqliteSessionStore(db, outbox);
  const documents = new DocumentVault(path.join(dir, 'documents'), Buffer.alloc(32, 7));
  const clock = new TestClock(options.now ?? SATURDAY_10AM_IST);
  const reports = options.reports ?? new LocalReportStorage(path.join(dir, 'reports'));
  const logger = pino({ level: 'silent' });
  const settings = { ...TEST_SETTINGS, ...options.settings };
  const engine = new ConversationEngine({
    deps: {
      store,
      reports,
      settings,
      logger,
      ...(options.intents ? { intents: options.intents } : {}),
      ...options.deps?.({ db, store, outbox, documents, clock }),
    },
    sessions,
    outbox,
    files: documents,
    clock,
    sessionTtlHours: options.sessionTtlHours ?? 24,
  });
  let messageCounter = 0;

  /** A patient chatting on one channel. */
  function patient(chatId: string, extra: { channel?: Channel; phone?: string } = {}) {
    let lastMenu: { text: string; options: { id: string; label: string }[] } | undefined;

    async function send(content: InboundContent, messageId = `m${++messageCounter}`): Promise<Outbound[]> {
      const inbound: Inbound = {
        channel: extra.channel ?? 'web',
        chatId,
        messageId,
        receivedAt: clock.now(),
        content,
        ...(extra.phone ? { phone: extra.phone } : {}),
      };
      const replies = await engine.handle(inbound);
      for (const reply of replies) if (reply.kind === 'menu') lastMenu = reply;
      return replies;
    }

    return {
      chatId,
      send,
      say: (text: string) => send({ kind: 'text', text }),
      choose: (optionId: string) => send({ kind: 'choice', optionId }),
      /** Taps the button of the last menu whose label contains `label`. */
      tap(label: string) {
        const option = lastMenu?.options.find((o) => o.label.includes(label));
        if (!option) throw new Error(`No option "${label}" in the last menu: ${JSON.stringify(lastMenu?.options.map((o) => o.label))}`);
        return send({ kind: 'choice', optionId: option.id });
      },
      sendFile(bytes: Uint8Array, fileName: string, mime = 'application/octet-stream', size = bytes.byteLength) {
        return send({ kind: 'file', mime, fileName, size, load: async () => bytes });
      },
      get lastMenu() {
        return lastMenu;
      },
      ref: { channel: extra.channel ?? 'web', chatId } as const,
    };
  }

  return {
    dir,
    db,
    store,
    sessions,
    outbox,
    documents,
    clock,
    engine,
    settings,
    patient,
    async close() {
      await engine.close();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Everything the replies say, joined, for `toContain` checks. */
export function textOf(replies: Outbound[]): string {
  return replies.map((r) => ('text' in r ? r.text : r.kind === 'document' ? r.caption : '')).join('\n');
}

/** The labels of the menu in the replies (the last one if several). */
export function menuLabels(replies: Outbound[]): string[] {
  const menus = replies.filter((r): r is Extract<Outbound, { kind: 'menu' }> => r.kind === 'menu');
  return menus[menus.length - 1]?.options.map((o) => o.label) ?? [];
}
