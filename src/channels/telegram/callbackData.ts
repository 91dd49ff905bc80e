/**
 * Telegram allows at most 64 bytes of callback_data per button, while menu option ids are chosen by the
 * core and the stores (a Google Sheets slot id can be long). Short ids travel as they are; longer ones
 * travel as a hash that is resolved against the options of the menu the chat's session remembers, so
 * nothing has to be stored per button and an old button still resolves — or is answered as stale.
 */
import { createHash } from 'node:crypto';
import type { MenuOption } from '../../core/messages.js';

/** Telegram's limit on callback_data, in bytes (UTF-8). */
export const CALLBACK_DATA_MAX_BYTES = 64;

const DIRECT = 'o:';
const HASHED = 'h:';

function hashOf(optionId: string): string {
  // 16 bytes of SHA-256 (128 bits): collisions between the options of one menu are not a concern.
  return createHash('sha256').update(optionId, 'utf8').digest('base64url').slice(0, 22);
}

/** The callback_data of the button for an option: always within 64 bytes. */
export function encodeOptionId(optionId: string): string {
  const direct = `${DIRECT}${optionId}`;
  return Buffer.byteLength(direct, 'utf8') <= CALLBACK_DATA_MAX_BYTES ? direct : `${HASHED}${hashOf(optionId)}`;
}

/** What a pressed button carried. */
export type DecodedCallback =
  | { kind: 'option'; optionId: string }
  /** A long option id, known only by its hash: resolve it with {@link resolveHashed}. */
  | { kind: 'hashed'; hash: string }
  /** Data this service never wrote (another bot version, a forged update). */
  | { kind: 'unknown' };

export function decodeCallbackData(data: string): DecodedCallback {
  if (data.startsWith(DIRECT)) return { kind: 'option', optionId: data.slice(DIRECT.length) };
  if (data.startsWith(HASHED) && data.length > HASHED.length) return { kind: 'hashed', hash: data.slice(HASHED.length) };
  return { kind: 'unknown' };
}

/** The option of `options` whose id hashes to `hash`, if any (the menu may have changed since). */
export function resolveHashed(hash: string, options: readonly MenuOption[]): MenuOption | undefined {
  return options.find((option) => hashOf(option.id) === hash);
}
