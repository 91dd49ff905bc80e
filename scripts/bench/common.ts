/**
 * What every benchmark scenario shares: figures with the scenario that produced them, percentiles,
 * a bounded pool, an RSS sampler and a full garbage collection.
 */
import { performance } from 'node:perf_hooks';
import v8 from 'node:v8';
import vm from 'node:vm';

/** One measured figure. */
export interface Figure {
  /** The scenario that produced it, in words (size, concurrency, store). */
  scenario: string;
  measure: string;
  value: number;
  unit: string;
}

export interface BenchOptions {
  /** A tenth of the size, for CI. */
  quick: boolean;
}

export { percentile } from '../../src/stats.js';

/** Runs `task(i)` for i in [0, count) with at most `limit` at a time. */
export async function pool(count: number, limit: number, task: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, count) }, async () => {
      while (next < count) await task(next++);
    }),
  );
}

/** Samples this process's resident set size while `work` runs; returns the peak in MiB. */
export async function peakRss<T>(work: () => Promise<T>): Promise<{ result: T; peakMiB: number }> {
  let peak = process.memoryUsage.rss();
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 50);
  try {
    const result = await work();
    peak = Math.max(peak, process.memoryUsage.rss());
    return { result, peakMiB: peak / 1024 / 1024 };
  } finally {
    clearInterval(timer);
  }
}

/**
 * A full garbage collection, so a memory figure counts what is kept rather than what happens not to
 * have been collected yet. The flag is set at run time because the benchmark starts through tsx.
 */
export function collectGarbage(): void {
  v8.setFlagsFromString('--expose-gc');
  (vm.runInNewContext('gc') as () => void)();
}

/** Milliseconds since `start` (performance.now()). */
export const since = (start: number) => performance.now() - start;

export const round = (value: number, digits = 2) => Number(value.toFixed(digits));
