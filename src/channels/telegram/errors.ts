/**
 * Telegram's answers, sorted into what the outbox sender needs to know: try again later (and when), or
 * never. Platform refusals carry the Bot API's error_code and description; transport failures (no
 * connection, reset) are network errors from the HTTP client.
 */
import { TelegramError } from 'telegraf';
import { PermanentDeliveryError, TransientDeliveryError } from '../../core/delivery.js';
import { ClinicError } from '../../core/errors.js';

/** The patient stopped, deleted or never started the bot, or the chat is gone. */
const UNREACHABLE_CHAT = /blocked by the user|user is deactivated|chat not found|bot was kicked|bot can't initiate conversation|have no rights to send|PEER_ID_INVALID|group chat was (deleted|upgraded)/i;

/** Telegram refused the bot token, or the configuration is otherwise unusable. */
export class TelegramSetupError extends ClinicError {}

/** Network-level failure codes worth naming in a reason (never the URL: it holds the token). */
function networkCode(error: Error): string {
  const withCode = error as Error & { code?: unknown; errno?: unknown; type?: unknown };
  const code = typeof withCode.code === 'string' ? withCode.code : typeof withCode.errno === 'string' ? withCode.errno : undefined;
  return code ?? (typeof withCode.type === 'string' ? withCode.type : error.name);
}

/** A Telegram refusal as one short line without the token ("403: Forbidden: bot was blocked by the user"). */
export function describeTelegramError(error: unknown): string {
  if (error instanceof TelegramError) return `${error.code}: ${error.description}`;
  if (error instanceof Error) return `network error (${networkCode(error)})`;
  return String(error);
}

/**
 * Maps a failed Bot API call to a delivery error: 429 and 5xx and network failures are transient
 * (429 with Telegram's retry_after in ms), a blocked bot or unknown chat is permanent, other 4xx
 * refusals of the message itself are permanent too (sending it again cannot succeed). A refused token
 * (401/404) stays transient: the messages must wait for the token to be fixed, not be dropped.
 */
export function toDeliveryError(error: unknown): TransientDeliveryError | PermanentDeliveryError {
  if (error instanceof TransientDeliveryError || error instanceof PermanentDeliveryError) return error;
  if (error instanceof TelegramError) {
    const reason = describeTelegramError(error);
    if (error.code === 429) {
      const seconds = error.parameters?.retry_after;
      return new TransientDeliveryError(reason, typeof seconds === 'number' ? seconds * 1000 : undefined);
    }
    if (error.code >= 500 || error.code === 401 || error.code === 404 || error.code === 409) return new TransientDeliveryError(reason);
    if (error.code === 403 || UNREACHABLE_CHAT.test(error.description)) return new PermanentDeliveryError(reason);
    if (error.code >= 400 && error.code < 500) return new PermanentDeliveryError(reason);
    return new TransientDeliveryError(reason);
  }
  return new TransientDeliveryError(describeTelegramError(error));
}

/** True for a Bot API refusal with this code. */
export function isTelegramError(error: unknown, code: number): error is TelegramError {
  return error instanceof TelegramError && error.code === code;
}
