/**
 * The web chat as a browser (or a hostile client) reaches it: the real app on loopback, every input
 * as an HTTP request to the web chat API, files as hand-built multipart bodies so names and parts can
 * be exactly as odd as the corpus wants.
 */
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { fileBytes, type HostilePayload, type MultipartPart } from '../../fixtures/hostile-inputs.js';
import { messagesUrl, newSessionId, startTestApp, type TestApp } from '../../http/helpers.js';
import { nextWalkPhone, walkTo, type ChannelDriver, type ConversationSnapshot, type DriverConversation, type DriverOutcome } from './channelDriver.js';

export const WEB_UPLOAD_MB = 1;
const UPLOAD_LIMIT = WEB_UPLOAD_MB * 1024 * 1024;

/** A multipart/form-data body; names are quoted as browsers do (", CR and LF escaped) unless `raw`. */
export function multipartBody(parts: MultipartPart[], boundary: string, maxBytes: number): Buffer {
  const chunks: Buffer[] = [];
  for (const part of parts) {
    let disposition = `form-data; name="${part.name}"`;
    if (part.fileName !== undefined) disposition += `; filename="${part.fileName}"`;
    const headers = [`Content-Disposition: ${disposition}`, ...(part.contentType ? [`Content-Type: ${part.contentType}`] : [])];
    chunks.push(Buffer.from(`--${boundary}\r\n${headers.join('\r\n')}\r\n\r\n`, 'utf8'));
    chunks.push(typeof part.content === 'string' ? Buffer.from(part.content, 'utf8') : Buffer.from(fileBytes(part.content.recipe, maxBytes)));
    chunks.push(Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return Buffer.concat(chunks);
}

/** How a browser's FormData quotes a file name in the part header. */
function browserQuoted(fileName: string): string {
  return fileName.replace(/"/g, '%22').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

function requestFor(payload: HostilePayload): { contentType: string | undefined; body: Buffer } {
  const boundary = `----reliability${randomUUID().replace(/-/g, '')}`;
  switch (payload.kind) {
    case 'text':
      return { contentType: 'application/json', body: Buffer.from(JSON.stringify({ text: payload.text })) };
    case 'choice':
      return { contentType: 'application/json', body: Buffer.from(JSON.stringify({ choice: payload.optionId })) };
    case 'file': {
      const part: MultipartPart = { name: 'file', fileName: browserQuoted(payload.fileName), contentType: payload.mime, content: { recipe: payload.recipe } };
      return { contentType: `multipart/form-data; boundary=${boundary}`, body: multipartBody([part], boundary, UPLOAD_LIMIT) };
    }
    case 'contact':
      throw new Error('the web chat has no contact cards');
    case 'http': {
      const { body, contentType } = payload;
      if (typeof body === 'string') return { contentType, body: Buffer.from(body, 'utf8') };
      if ('bytes' in body) return { contentType, body: Buffer.from(body.bytes) };
      const full = multipartBody(body.multipart, body.boundary ?? boundary, UPLOAD_LIMIT);
      // A cut-off upload: the body stops half-way through, as when a phone loses its connection.
      const sent = body.rawTail === 'cut' ? full.subarray(0, Math.floor(full.length / 2)) : full;
      return { contentType: contentType === 'multipart/form-data' ? `${contentType}; boundary=${body.boundary ?? boundary}` : contentType, body: sent };
    }
  }
}

export interface WebHttpDriver extends ChannelDriver {
  readonly app: TestApp;
}

export async function createWebHttpDriver(env: Record<string, string> = {}): Promise<WebHttpDriver> {
  const app = await startTestApp({ MAX_UPLOAD_MB: String(WEB_UPLOAD_MB), RATE_LIMIT_PER_MINUTE: '0', ...env });
  const { sessions, store } = app.app.context;

  async function post(conversation: DriverConversation, contentType: string | undefined, body: Buffer): Promise<DriverOutcome> {
    conversation.messagesSent += 1;
    const response = await fetch(messagesUrl(app.base, conversation.chatId), {
      method: 'POST',
      headers: { ...(contentType ? { 'content-type': contentType } : {}), 'idempotency-key': randomUUID() },
      body,
    });
    const responseType = response.headers.get('content-type') ?? undefined;
    const raw = await response.text();
    let json: { messages?: { kind: string; text: string; options?: { id: string; label: string }[] }[]; error?: { code: unknown; message: unknown } } = {};
    try {
      json = JSON.parse(raw) as typeof json;
    } catch {
      // Not JSON at all: reported below as an error answer without a code, which the suite flags.
    }
    if (response.status === 200 && Array.isArray(json.messages)) return { kind: 'replies', replies: json.messages, contentType: responseType };
    return { kind: 'http-error', status: response.status, code: json.error?.code, message: json.error?.message, contentType: responseType };
  }

  const snapshot = async (conversation: DriverConversation): Promise<ConversationSnapshot> => {
    const session = await sessions.load({ channel: 'web', chatId: conversation.chatId });
    const appointmentId = session?.targetAppointmentId ?? session?.draft.appointmentId;
    const appointment = appointmentId ? await store.getAppointment(appointmentId) : undefined;
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
    name: 'web over HTTP',
    channel: 'web',
    overHttp: true,
    app,
    // The engine asks a chat to slow down after 30 messages a minute.
    messagesPerConversation: 25,
    world: { store, reportsDir: path.join(app.dataDir, 'reports'), maxUploadBytes: UPLOAD_LIMIT, now: () => app.clock.now() },
    supports: (payload) => payload.kind !== 'contact',
    async open(step) {
      const conversation: DriverConversation = { chatId: newSessionId(), messagesSent: 0 };
      await walkTo(
        step,
        nextWalkPhone(),
        async (text) => {
          const outcome = await post(conversation, 'application/json', Buffer.from(JSON.stringify({ text })));
          if (outcome.kind !== 'replies') throw new Error(`walking answer "${text}" was refused: ${JSON.stringify(outcome)}`);
        },
        async () => (await snapshot(conversation)).state,
      );
      return conversation;
    },
    send(conversation, payload) {
      const { contentType, body } = requestFor(payload);
      return post(conversation, contentType, body);
    },
    snapshot,
    async healthy() {
      const response = await fetch(`${app.base}/health`);
      return response.status === 200 && ((await response.json()) as { ok?: boolean }).ok === true;
    },
    close: () => app.dispose(),
  };
}
