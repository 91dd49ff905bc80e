/**
 * Works off a durable backlog (rows in SQLite naming what is still to be done) until it is empty.
 * One drain runs at a time: asking again while one runs joins it, and the running drain reads the
 * backlog again before it finishes, so work recorded meanwhile is not left behind. An item that fails
 * stays in the backlog for a later drain (the caller's sweep), but is not retried within this one.
 */
export interface BacklogDrainerOptions {
  /** Keys of pending items, oldest first (at most a batch). */
  pending(): string[];
  /** Does one item; false (or a rejection) when it failed and stays pending. */
  work(key: string): Promise<boolean>;
  /** Items worked on at once. Default 1. */
  concurrency?: number;
  /**
   * Told when the backlog cannot be read (the drain then ends; the next drain reads it again). Items
   * report their own failures through `work`.
   */
  onReadError(error: unknown): void;
}

export class BacklogDrainer {
  private running: Promise<void> | undefined;

  constructor(private readonly options: BacklogDrainerOptions) {}

  /** Works until nothing is pending (or only items that failed in this drain are). Never rejects. */
  drain(): Promise<void> {
    return (this.running ??= this.loop());
  }

  /** Resolves when no drain is running (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  private async loop(): Promise<void> {
    // Lets drain() store this promise before the loop can finish and clear it.
    await Promise.resolve();
    const failed = new Set<string>();
    try {
      for (;;) {
        let batch: string[];
        try {
          batch = this.options.pending().filter((key) => !failed.has(key));
        } catch (error) {
          this.options.onReadError(error);
          return;
        }
        if (batch.length === 0) {
          // Cleared in the same synchronous step as the empty read: work recorded later starts a new drain.
          this.running = undefined;
          return;
        }
        let next = 0;
        const worker = async () => {
          while (next < batch.length) {
            const key = batch[next++]!;
            if (!(await this.options.work(key).catch(() => false))) failed.add(key);
          }
        };
        await Promise.all(Array.from({ length: Math.max(1, this.options.concurrency ?? 1) }, worker));
      }
    } finally {
      this.running = undefined;
    }
  }
}
