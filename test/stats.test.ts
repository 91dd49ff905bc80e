import { describe, expect, it } from 'vitest';
import { percentile } from '../src/stats.js';

describe('percentile', () => {
  it('takes the nearest rank of unsorted values and leaves them as they were', () => {
    const values = [9, 1, 5, 3, 7, 2, 8, 4, 10, 6];
    expect(percentile(values, 50)).toBe(5);
    expect(percentile(values, 90)).toBe(9);
    expect(percentile(values, 99)).toBe(10);
    expect(percentile(values, 0)).toBe(1);
    expect(values[0]).toBe(9);
  });

  it('is 0 without values', () => {
    expect(percentile([], 95)).toBe(0);
  });
});
