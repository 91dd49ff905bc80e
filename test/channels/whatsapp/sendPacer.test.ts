/** The global send pacing, on a virtual clock. */
import { describe, expect, it } from 'vitest';
import { SendPacer } from '../../../src/channels/whatsapp/sendPacer.js';
import { VirtualPaceClock } from './helpers.js';

describe('SendPacer', () => {
  it('spaces turns by the interval, in the order they were asked for, and lets an idle gap count', async () => {
    const clock = new VirtualPaceClock();
    const pacer = new SendPacer(2, clock.timer);
    const signal = new AbortController().signal;
    const order: number[] = [];
    const times: number[] = [];
    await Promise.all(
      [1, 2, 3, 4].map((n) =>
        pacer.take(signal).then(() => {
          order.push(n);
          times.push(clock.nowMs);
        }),
      ),
    );
    expect(order).toEqual([1, 2, 3, 4]);
    expect(times).toEqual([0, 500, 1000, 1500]);

    // After a quiet spell the next message goes at once.
    clock.nowMs += 10_000;
    const before = clock.waits.length;
    await pacer.take(signal);
    expect(clock.waits).toHaveLength(before);
  });

  it('refuses a rate that is not positive', () => {
    expect(() => new SendPacer(0)).toThrow(RangeError);
  });
});
