/**
 * How a call to Gemini failed, in words an operator can act on. A passing outage (timeouts, 429, 5xx)
 * and an answer that does not validate are worth a retry later; a refusal of the key or the model
 * (wrong or expired key, key without access, unknown model) will fail the same way on every message
 * until someone changes GEMINI_API_KEY or GEMINI_MODEL, so it says which and what to do.
 */
import { ClinicError } from '../../core/errors.js';

export type GeminiFailure =
  /** No answer within the timeout. */
  | 'timeout'
  /** Not reachable, or an HTTP error that may pass (429, 5xx, a 400 about this one request). */
  | 'unavailable'
  /** An answer that is not JSON, breaks the schema, or says something impossible (a past date). */
  | 'invalid-answer'
  /** The voice note is not audio Gemini reads, or longer than the bot listens to: nothing was sent. */
  | 'unsupported-audio'
  /** Google refused the key or the model: see {@link GeminiError.setting}. */
  | 'refused';

/** Gemini did not give a usable answer; `kind` says which way it failed. Never carries the patient's words. */
export class GeminiError extends ClinicError {
  constructor(
    readonly kind: GeminiFailure,
    message: string,
    /** For a refusal: the setting to change. */
    readonly setting?: 'GEMINI_API_KEY' | 'GEMINI_MODEL',
  ) {
    super(message);
  }
}

/** The API's error body as @google/genai puts it in ApiError.message: `{"error":{"status":…,"details":[{"reason":…}]}}`. */
function apiErrorCodes(message: string): { status?: string; reason?: string; text: string } {
  try {
    const body = JSON.parse(message) as { error?: { status?: unknown; message?: unknown; details?: { reason?: unknown }[] } };
    const reason = body.error?.details?.find((d) => typeof d.reason === 'string')?.reason;
    // Only Google's upper-case codes are repeated in logs: the free-text message is matched, never logged.
    const code = (value: unknown) => (typeof value === 'string' && /^[A-Z_]{3,60}$/.test(value) ? value : undefined);
    return {
      ...(code(body.error?.status) ? { status: code(body.error?.status)! } : {}),
      ...(code(reason) ? { reason: code(reason)! } : {}),
      text: typeof body.error?.message === 'string' ? body.error.message : '',
    };
  } catch {
    return { text: message };
  }
}

/**
 * Which setting a refusal is about, or undefined for a failure that may pass. 400 is mostly about the
 * one request, except an invalid or expired key (API_KEY_INVALID) and an account the API refuses
 * (FAILED_PRECONDITION: region or billing); 401/403 are the key's; 404 is the model's.
 */
function refusedSetting(status: number, codes: { status?: string; reason?: string; text: string }): 'GEMINI_API_KEY' | 'GEMINI_MODEL' | undefined {
  if (status === 401 || status === 403) return 'GEMINI_API_KEY';
  if (status === 404) return 'GEMINI_MODEL';
  if (status === 400) {
    if (codes.reason?.startsWith('API_KEY') || /api key (not valid|expired|invalid)/i.test(codes.text)) return 'GEMINI_API_KEY';
    if (codes.status === 'FAILED_PRECONDITION') return 'GEMINI_API_KEY';
  }
  return undefined;
}

function refusalAdvice(setting: 'GEMINI_API_KEY' | 'GEMINI_MODEL', model: string, why: string): string {
  return setting === 'GEMINI_MODEL'
    ? `Gemini does not offer GEMINI_MODEL "${model}" to this key (${why}): set GEMINI_MODEL to a model the key can use, such as gemini-2.5-flash, and restart.`
    : `Gemini refused GEMINI_API_KEY (${why}): create a key in Google AI Studio (https://aistudio.google.com/apikey), ` +
        'check that it may use the Gemini API, set it as GEMINI_API_KEY and restart.';
}

/** A GeminiError for whatever the SDK threw. */
export function asGeminiError(error: unknown, model: string): GeminiError {
  if (error instanceof GeminiError) return error;
  const name = error instanceof Error ? error.name : '';
  if (name === 'AbortError' || name === 'TimeoutError') return new GeminiError('timeout', 'Gemini did not answer in time.');
  const status = typeof error === 'object' && error !== null && 'status' in error && typeof error.status === 'number' ? error.status : undefined;
  if (status === undefined) return new GeminiError('unavailable', 'Gemini could not be reached.');
  const codes = apiErrorCodes(error instanceof Error ? error.message : '');
  const why = [`HTTP ${status}`, codes.reason ?? codes.status].filter(Boolean).join(' ');
  const setting = refusedSetting(status, codes);
  if (setting) return new GeminiError('refused', refusalAdvice(setting, model, why), setting);
  return new GeminiError('unavailable', `Gemini refused the request (${why}).`);
}
