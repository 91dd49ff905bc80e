/**
 * Gemini in front, the rules behind: whenever Gemini fails, times out or answers something that does not
 * validate, the rules answer instead, so the patient never notices which one did and the bot never gets
 * stuck because the AI is down. After repeated failures (of text or voice) Gemini is left alone for a
 * while, so patients do not wait out a timeout on every message during an outage: text goes to the
 * rules at once, and a voice note fails at once (the patient is asked to type).
 *
 * A refusal of the key or the model is no outage: it is logged once as an error saying what to change,
 * shown by {@link ResilientIntentDetector.health}, and pauses Gemini at once.
 */
import type { CoreLogger } from '../../core/flow/turn.js';
import type { BookingIntent, Clock, IntentContext, IntentDetector } from '../../core/ports.js';
import { GeminiError } from './geminiErrors.js';

export interface ResilientDetectorOptions {
  /** The AI detector (Gemini), or undefined when it is not configured. */
  primary?: IntentDetector;
  /** Always available (the rules). */
  fallback: IntentDetector;
  clock: Clock;
  logger: CoreLogger;
  /** Consecutive failures after which the primary is skipped for `pauseMs` (default 3). */
  failuresBeforePause?: number;
  /** How long the primary is skipped (default 60 s). */
  pauseMs?: number;
}

/** How the AI stands, for /health and the start-up line. */
export interface AiHealth {
  /** False while Google refuses the key or the model (the rules still answer). */
  ok: boolean;
  /** off: no key; on: in use; paused: skipped after failures; refused: the key or model is refused. */
  gemini: 'off' | 'on' | 'paused' | 'refused';
  /** What to change, while refused. */
  problem?: string;
}

export class ResilientIntentDetector implements IntentDetector {
  /** Present only when the primary can transcribe. */
  readonly transcribe?: (audio: Uint8Array, mime: string) => Promise<string>;
  private failures = 0;
  private pausedUntil = 0;
  /** The advice of the refusal last logged; cleared when Gemini answers again. */
  private refusal: string | undefined;

  constructor(private readonly options: ResilientDetectorOptions) {
    const primary = options.primary;
    if (primary?.transcribe) {
      const transcribe = primary.transcribe.bind(primary);
      this.transcribe = (audio, mime) => {
        if (this.paused()) return Promise.reject(new GeminiError('unavailable', 'Gemini is paused after repeated failures; the voice note was not sent.'));
        return this.attempt(() => transcribe(audio, mime));
      };
    }
  }

  async detect(text: string, context: IntentContext): Promise<BookingIntent> {
    const { primary, fallback, logger } = this.options;
    if (primary && !this.paused()) {
      try {
        return await this.attempt(() => primary.detect(text, context));
      } catch (error) {
        // The error says how Gemini failed; it never carries the patient's words. A refusal was logged once.
        if (!(error instanceof GeminiError && error.kind === 'refused')) logger.warn({ err: error }, 'intent detection by Gemini failed; the rules answered');
      }
    }
    return fallback.detect(text, context);
  }

  health(): AiHealth {
    if (!this.options.primary) return { ok: true, gemini: 'off' };
    if (this.refusal) return { ok: false, gemini: 'refused', problem: this.refusal };
    return { ok: true, gemini: this.paused() ? 'paused' : 'on' };
  }

  private paused(): boolean {
    return this.options.clock.now().getTime() < this.pausedUntil;
  }

  /** Runs a call to the primary, counting its failures toward the pause. */
  private async attempt<T>(call: () => Promise<T>): Promise<T> {
    try {
      const result = await call();
      this.succeeded();
      return result;
    } catch (error) {
      this.failed(error);
      throw error;
    }
  }

  private succeeded(): void {
    this.failures = 0;
    if (this.refusal) {
      this.refusal = undefined;
      this.options.logger.info({}, 'Gemini answers again: it reads free text and voice notes');
    }
  }

  private failed(error: unknown): void {
    // A clip that is not audio, or too long, is the patient's, not a sign that Gemini is down.
    if (error instanceof GeminiError && error.kind === 'unsupported-audio') return;
    const refused = error instanceof GeminiError && error.kind === 'refused';
    this.failures += 1;
    if (refused || this.failures >= (this.options.failuresBeforePause ?? 3)) {
      this.pausedUntil = this.options.clock.now().getTime() + (this.options.pauseMs ?? 60_000);
      this.failures = 0;
    }
    if (refused && error.message !== this.refusal) {
      this.refusal = error.message;
      // Once per refusal, at error level: it will not pass by itself. Later ones are only counted.
      this.options.logger.error({ setting: error.setting }, `${error.message} Until then the rules read free text and voice notes are not transcribed.`);
    }
  }
}
