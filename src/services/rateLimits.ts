/**
 * The per-chat flood guard of every channel. Counters live in memory (rate-limiter-flexible): a
 * restart forgives everyone, which is fine for limits measured in seconds.
 */
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import type { FloodGuard } from '../core/ports.js';

/** How many messages a chat may send within `seconds` before it is asked to slow down. */
export interface FloodLimit {
  messages: number;
  seconds: number;
}

/** Generous for a person tapping through a booking (about a dozen messages), hard on a script. */
export const DEFAULT_FLOOD_LIMIT: FloodLimit = { messages: 30, seconds: 60 };

/** {@link FloodGuard} on a memory limiter keyed by chat. */
export class MemoryFloodGuard implements FloodGuard {
  private readonly limiter: RateLimiterMemory;

  constructor(private readonly limit: FloodLimit = DEFAULT_FLOOD_LIMIT) {
    this.limiter = new RateLimiterMemory({ points: limit.messages, duration: limit.seconds });
  }

  async check(chatKey: string): Promise<'ok' | 'slow-down' | 'drop'> {
    try {
      await this.limiter.consume(chatKey);
      return 'ok';
    } catch (refusal) {
      if (!(refusal instanceof RateLimiterRes)) throw refusal;
      // The first message over the limit gets the polite answer; the rest of the flood is dropped.
      return refusal.consumedPoints === this.limit.messages + 1 ? 'slow-down' : 'drop';
    }
  }
}
