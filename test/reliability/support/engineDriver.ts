/**
 * The conversation engine as a channel adapter calls it: real engine, real SQLite, real report
 * storage, messages shaped the way the named channel delivers them (WhatsApp knows the sender's
 * phone; Telegram and WhatsApp can share contact cards and announce a file's size before its bytes).
 */
import path from 'node:path';
import type { Channel, InboundContent, Outbound } from '../../../src/core/messages.js';
import { doctor, slot, createHarness, type Harness } from '../../support/engineHarness.js';
import { fileBytes, type HostilePayload } from '../../fixtures/hostile-inputs.js';
import { nextWalkPhone, walkTo, type ChannelDriver, type ConversationSnapshot, type DriverConversation, type DriverOutcome } from './channelDriver.js';

interface EngineConversation extends DriverConversation {
  patient: ReturnType<Harness['patient']>;
}

const UPLOAD_LIMIT = 1024 * 1024;
const DAYS = ['2026-11-21', '2026-11-22', '2026-11-23', '2026-11-24', '2026-11-25'];

/** Two doctors with roomy afternoon slots for several days, so hundreds of walks never run out. */
async function seedRoomyClinic(h: Harness): Promise<void> {
  await h.store.upsertDoctor(doctor('GP', { name: 'Dr. Meera Iyer', specialty: 'General Physician', fee: 500 }));
  await h.store.upsertDoctor(doctor('DERM', { name: 'Dr. Karan Shah', specialty: 'Dermatology', fee: 800 }));
  for (const date of DAYS) {
    for (const start of ['14:00', '14:30', '15:00', '15:30']) {
      await h.store.upsertSlot(slot(`GP-${date}-${start}`, 'GP', date, start, { capacity: 200 }));
      await h.store.upsertSlot(slot(`DERM-${date}-${start}`, 'DERM', date, start, { capacity: 200 }));
    }
  }
}

function toReply(outbound: Outbound) {
  switch (outbound.kind) {
    case 'menu':
      return { kind: 'menu', text: outbound.text, options: outbound.options };
    case 'document':
      return { kind: 'document', text: outbound.caption };
    default:
      return { kind: outbound.kind, text: outbound.text };
  }
}

export async function createEngineDriver(channel: Channel): Promise<ChannelDriver> {
  const h = createHarness({ settings: { maxUploadBytes: UPLOAD_LIMIT, maxReportsPerAppointment: 10 } });
  await seedRoomyClinic(h);
  let chats = 0;

  const snapshot = async (conversation: DriverConversation): Promise<ConversationSnapshot> => {
    const session = await h.sessions.load({ channel, chatId: conversation.chatId });
    const appointmentId = session?.targetAppointmentId ?? session?.draft.appointmentId;
    const appointment = appointmentId ? await h.store.getAppointment(appointmentId) : undefined;
    return {
      state: session?.state,
      draft: structuredClone(session?.draft ?? {}),
      menuIds: session?.menu.map((o) => o.id) ?? [],
      appointmentId,
      reports: appointment?.reports.length ?? 0,
      appointmentStatus: appointment?.status,
    };
  };

  return {
    name: `engine (${channel})`,
    channel,
    overHttp: false,
    messagesPerConversation: 40,
    world: { store: h.store, reportsDir: path.join(h.dir, 'reports'), maxUploadBytes: UPLOAD_LIMIT, now: () => h.clock.now() },
    supports: (payload) => payload.kind !== 'http',
    async open(step) {
      const chatId = channel === 'whatsapp' ? `9198${String(++chats).padStart(8, '0')}@c.us` : channel === 'telegram' ? String(700_000_000 + ++chats) : `web-chat-${String(++chats).padStart(14, '0')}`;
      // WhatsApp always tells the bot who is writing; the others never do.
      const phone = nextWalkPhone();
      const patient = h.patient(chatId, { channel, ...(channel === 'whatsapp' ? { phone } : {}) });
      const conversation: EngineConversation = { chatId, patient, messagesSent: 0 };
      await walkTo(
        step,
        phone,
        async (text) => {
          conversation.messagesSent += 1;
          await patient.say(text);
        },
        async () => (await snapshot(conversation)).state,
      );
      return conversation;
    },
    async send(conversation, payload: HostilePayload): Promise<DriverOutcome> {
      const { patient } = conversation as EngineConversation;
      conversation.messagesSent += 1;
      let content: InboundContent;
      switch (payload.kind) {
        case 'text':
        case 'choice':
        case 'contact':
          content = payload;
          break;
        case 'file': {
          const bytes = fileBytes(payload.recipe, UPLOAD_LIMIT);
          const size = payload.announcedSize === 'zero' ? 0 : payload.announcedSize === 'tiny' ? 1024 : bytes.byteLength;
          content = { kind: 'file', mime: payload.mime, fileName: payload.fileName, size, load: async () => bytes };
          break;
        }
        case 'http':
          throw new Error('the engine takes no raw HTTP bodies');
      }
      const replies = await patient.send(content);
      return { kind: 'replies', replies: replies.map(toReply) };
    },
    snapshot,
    async healthy() {
      await h.store.ping();
      return true;
    },
    close: () => h.close(),
  };
}
