/**
 * Structured logs (pino). Patient data stays out of them: phone numbers and chat addresses are masked
 * wherever they appear under the usual field names, and message bodies are never logged.
 */
import { pino, type Logger } from 'pino';
import pretty from 'pino-pretty';
import type { LogFormat, LogLevel } from './config.js';
import { maskChatId, maskPhone } from './core/masking.js';

export { maskChatId, maskPhone };

export type { Logger };

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
