/**
 * Gemini in front, the rules behind: whenever Gemini fails, times out or answers something that does not
 * validate, the rules answer instead, so the patient never notices which one did and the bot never gets
 * stuck because the AI is down. After repeated failures Gemini is left alone for a while, so patients
 * do not wait out a timeout on every message during an outage.
 */
import type { CoreLogger } from '../../core/flow/turn.js';
import type { BookingIntent, Clock, IntentContext, IntentDetector } from '../../core/ports.js';

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

export class ResilientIntentDetector implements IntentDetector {
  /** Present only when the primary can transcribe. */
  readonly transcribe?: (audio: Uint8Array, mime: string) => Promise<string>;
  private failures = 0;
  private pausedUntil = 0;

  constructor(private readonly options: ResilientDetectorOptions) {
    const primary = options.primary;
    if (primary?.transcribe) this.transcribe = (audio, mime) => primary.transcribe!(audio, mime);
  }

  async detect(text: string, context: IntentContext): Promise<BookingIntent> {
    const { primary, fallback, clock, logger } = this.options;
    if (primary && clock.now().getTime() >= this.pausedUntil) {
      try {
        const intent = await primary.detect(text, context);
        this.failures = 0;
        return intent;
      } catch (error) {
        this.failures += 1;
        if (this.failures >= (this.options.failuresBeforePause ?? 3)) {
          this.pausedUntil = clock.now().getTime() + (this.options.pauseMs ?? 60_000);
          this.failures = 0;
        }
        // The error says how Gemini failed; it never carries the patient's words.
        logger.warn({ err: error }, 'intent detection by Gemini failed; the rules answered');
      }
    }
    return fallback.detect(text, context);
  }
}
