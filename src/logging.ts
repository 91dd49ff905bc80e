/**
 * Structured logs (pino). Patient data stays out of them: phone numbers and chat addresses are masked
 * wherever they appear under the usual field names, and message bodies are never logged.
 */
import { pino, type Logger } from 'pino';
import pretty from 'pino-pretty';
import type { LogFormat, LogLevel } from './config.js';

export type { Logger };

/**
 * "+919876543210" -> "+91******3210". Keeps enough to tell two numbers apart in a log, not enough to
 * call the patient.
 */
export function maskPhone(phone: string): string {
  if (phone.includes('*')) return phone; // already masked
  const digits = phone.replace(/\D/g, '');
  if (digits.length < 6) return '*'.repeat(digits.length);
  const prefix = phone.trim().startsWith('+') ? `+${digits.slice(0, 2)}` : digits.slice(0, 2);
  return `${prefix}${'*'.repeat(digits.length - 6)}${digits.slice(-4)}`;
}

/**
 * Chat addresses can be phone numbers (WhatsApp "9198…@c.us") or bearer secrets (web chat session ids):
 * keep only the first four characters.
 */
export function maskChatId(chatId: string): string {
  return chatId.length <= 4 ? '****' : `${chatId.slice(0, 4)}…`;
}

// Each path once: overlapping paths would censor a value twice.
const PHONE_PATHS = ['phone', '*.phone', '*.*.phone'];
const CHAT_PATHS = ['chatId', '*.chatId', '*.*.chatId', 'sessionId', '*.sessionId'];

/** Whether logs should be readable lines: asked for, or `auto` on an interactive terminal. */
export function wantsPrettyLogs(format: LogFormat, stdoutIsTerminal = Boolean(process.stdout.isTTY)): boolean {
  return format === 'pretty' || (format === 'auto' && stdoutIsTerminal);
}

/**
 * Builds the service logger: JSON lines to stdout (or to `destination`, for tests), or readable
 * lines when `format` asks for them. Redaction runs before either, so masking is the same.
 */
export function createLogger(level: LogLevel, destination?: NodeJS.WritableStream, format: LogFormat = 'json'): Logger {
  const output = wantsPrettyLogs(format)
    ? // Synchronous, in-process: no worker thread to flush at exit, and lines keep their order.
      pretty({ destination: destination ?? process.stdout, sync: true, colorize: !destination && Boolean(process.stdout.isTTY), translateTime: 'SYS:HH:MM:ss', ignore: 'pid,hostname' })
    : (destination ?? process.stdout);
  return pino(
    {
      level,
      base: undefined,
      redact: {
        paths: [...PHONE_PATHS, ...CHAT_PATHS, 'text', '*.text', 'token', '*.token'],
        censor: (value: unknown, path: string[]) => {
          if (typeof value !== 'string') return '[redacted]';
          const field = path[path.length - 1];
          if (field === 'phone') return maskPhone(value);
          if (field === 'chatId' || field === 'sessionId') return maskChatId(value);
          return '[redacted]';
        },
      },
    },
    output,
  );
}
