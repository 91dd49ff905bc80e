/**
 * A loopback stand-in for the Gemini API (generativelanguage.googleapis.com) that the real @google/genai
 * SDK talks to through httpOptions.baseUrl: POST /v1beta/models/{model}:generateContent with an API key
 * header, structured-output config and inline audio parts. What it answers is decided by the test's
 * handler; it can also answer slowly (until released), fail with an HTTP error, or send malformed JSON.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One generateContent request as the emulator received it. */
export interface GeminiCall {
  model: string;
  apiKey: string | undefined;
  /** The whole request body, for assertions on what was (not) sent. */
  body: GenerateContentBody;
  /** Text of the system instruction. */
  system: string;
  /** Text parts of the user's content. */
  userText: string;
  /** The inline audio part, if any. */
  audio?: { mimeType: string; bytes: Buffer };
  responseMimeType?: string;
  responseSchema?: Record<string, unknown>;
}

interface Part {
  text?: string;
  inlineData?: { mimeType: string; data: string };
}

export interface GenerateContentBody {
  contents?: { role?: string; parts?: Part[] }[];
  systemInstruction?: { parts?: Part[] };
  generationConfig?: {
    responseMimeType?: string;
    responseSchema?: Record<string, unknown>;
    temperature?: number;
    thinkingConfig?: { thinkingBudget?: number; thinkingLevel?: string; includeThoughts?: boolean };
  };
}

/** What the emulator does with a call. */
export type GeminiReply =
  /** A candidate whose text is this value as JSON (structured output). */
  | { json: unknown }
  /** A candidate with this exact text (e.g. malformed JSON). */
  | { text: string }
  /** This whole generateContent response body (e.g. thought or function-call parts). */
  | { response: unknown }
  /** An API error with this HTTP status (and ErrorInfo reason, such as API_KEY_INVALID). */
  | { status: number; message?: string; reason?: string }
  /** No answer until the promise settles (or the emulator closes): a slow or hung service. */
  | { after: Promise<unknown>; then: GeminiReply };

export type GeminiHandler = (call: GeminiCall) => GeminiReply | Promise<GeminiReply>;

export interface GeminiEmulator {
  /** Base URL for GEMINI_API_URL / httpOptions.baseUrl. */
  url: string;
  apiKey: string;
  calls: GeminiCall[];
  handle(handler: GeminiHandler): void;
  close(): Promise<void>;
}

const STATUS_NAMES: Record<number, string> = {
  400: 'INVALID_ARGUMENT',
  401: 'UNAUTHENTICATED',
  403: 'PERMISSION_DENIED',
  404: 'NOT_FOUND',
  429: 'RESOURCE_EXHAUSTED',
  500: 'INTERNAL',
  503: 'UNAVAILABLE',
};

function sendJson(res: ServerResponse, status: number, value: unknown): void {
  const body = JSON.stringify(value);
  res.writeHead(status, { 'content-type': 'application/json; charset=UTF-8', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

function apiError(res: ServerResponse, status: number, message: string, reason?: string): void {
  // Like Google's APIs, a machine-readable reason goes in an ErrorInfo detail (e.g. API_KEY_INVALID).
  const details = reason ? { details: [{ '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason, domain: 'googleapis.com' }] } : {};
  sendJson(res, status, { error: { code: status, message, status: STATUS_NAMES[status] ?? 'UNKNOWN', ...details } });
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function textOf(parts: Part[] | undefined): string {
  return (parts ?? []).flatMap((p) => (typeof p.text === 'string' ? [p.text] : [])).join('\n');
}

export async function startGeminiEmulator(options: { apiKey?: string; handler?: GeminiHandler } = {}): Promise<GeminiEmulator> {
  const apiKey = options.apiKey ?? 'test-gemini-key';
  let handler: GeminiHandler = options.handler ?? (() => ({ status: 500, message: 'No handler set in the test.' }));
  const calls: GeminiCall[] = [];
  let closing = false;
  const releaseOnClose: (() => void)[] = [];

  async function reply(res: ServerResponse, model: string, answer: GeminiReply): Promise<void> {
    if ('after' in answer) {
      await Promise.race([answer.after.catch(() => undefined), new Promise<void>((resolve) => releaseOnClose.push(resolve))]);
      if (closing || res.destroyed) return;
      return reply(res, model, answer.then);
    }
    if ('status' in answer) return apiError(res, answer.status, answer.message ?? 'Emulated failure.', answer.reason);
    if ('response' in answer) return sendJson(res, 200, answer.response);
    const text = 'json' in answer ? JSON.stringify(answer.json) : answer.text;
    sendJson(res, 200, {
      candidates: [{ content: { role: 'model', parts: [{ text }] }, finishReason: 'STOP', index: 0 }],
      usageMetadata: { promptTokenCount: 10, candidatesTokenCount: 10, totalTokenCount: 20 },
      modelVersion: model,
      responseId: `emulated-${calls.length}`,
    });
  }

  const server = createServer((req, res) => {
    void (async () => {
      const match = /^\/v1beta\/models\/([^/:]+):generateContent$/.exec(new URL(req.url ?? '/', 'http://x').pathname);
      if (req.method !== 'POST' || !match) return apiError(res, 404, `Unknown path ${req.method} ${req.url}`);
      const given = req.headers['x-goog-api-key'];
      const key = Array.isArray(given) ? given[0] : given;
      if (key !== apiKey) return apiError(res, 400, 'API key not valid. Please pass a valid API key.', 'API_KEY_INVALID');
      let body: GenerateContentBody;
      try {
        body = JSON.parse(await readBody(req)) as GenerateContentBody;
      } catch {
        return apiError(res, 400, 'Invalid JSON payload received.');
      }
      const userParts = (body.contents ?? []).flatMap((c) => c.parts ?? []);
      const inline = userParts.find((p) => p.inlineData)?.inlineData;
      const call: GeminiCall = {
        model: match[1]!,
        apiKey: key,
        body,
        system: textOf(body.systemInstruction?.parts),
        userText: textOf(userParts),
        ...(inline ? { audio: { mimeType: inline.mimeType, bytes: Buffer.from(inline.data, 'base64') } } : {}),
        ...(body.generationConfig?.responseMimeType ? { responseMimeType: body.generationConfig.responseMimeType } : {}),
        ...(body.generationConfig?.responseSchema ? { responseSchema: body.generationConfig.responseSchema } : {}),
      };
      calls.push(call);
      await reply(res, call.model, await handler(call));
    })().catch((error: unknown) => {
      if (!res.headersSent) apiError(res, 500, `Emulator failure: ${String(error)}`);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    apiKey,
    calls,
    handle(next) {
      handler = next;
    },
    async close() {
      closing = true;
      for (const release of releaseOnClose.splice(0)) release();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A structured intent answer with every field, defaulting to "nothing said". */
export function intentAnswer(fields: Partial<{ intent: string; specialty: string | null; doctorId: string | null; date: string | null; timeOfDay: string | null; time: string | null; earliest: boolean }>): { json: unknown } {
  return { json: { intent: 'other', specialty: null, doctorId: null, date: null, timeOfDay: null, time: null, earliest: false, ...fields } };
}
