/**
 * Small statistics for measurements (benchmarks, the intent detector's timing).
 */

/** The p-th percentile (nearest rank) of `values`, which need not be sorted; 0 when there are none. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}
