import { describe, expect, it } from 'vitest';
import { BacklogDrainer } from '../../src/services/backlogDrainer.js';

/** A backlog in memory: keys in order; work settles when the test says so. */
function backlog(initial: string[]) {
  const pending = [...initial];
  const started: string[] = [];
  const gates = new Map<string, (ok: boolean) => void>();
  let running = 0;
  let mostAtOnce = 0;
  return {
    pending,
    started,
    get mostAtOnce() {
      return mostAtOnce;
    },
    /** Settles the work on `key` (done, or failed and kept). */
    finish(key: string, ok = true) {
      gates.get(key)!(ok);
    },
    read: () => pending.slice(0, 10),
    work: (key: string) =>
      new Promise<boolean>((resolve) => {
        started.push(key);
        running += 1;
        mostAtOnce = Math.max(mostAtOnce, running);
        gates.set(key, (ok) => {
          running -= 1;
          if (ok) pending.splice(pending.indexOf(key), 1);
          resolve(ok);
        });
      }),
  };
}

/** Lets every pending promise callback run. */
const turns = async (n = 10) => {
  for (let i = 0; i < n; i += 1) await Promise.resolve();
};

describe('BacklogDrainer', () => {
  it('joins a drain already running and picks up work recorded while it runs', async () => {
    const b = backlog(['a']);
    const drainer = new BacklogDrainer({ pending: b.read, work: b.work, onReadError: () => {} });
    const first = drainer.drain();
    expect(drainer.drain()).toBe(first);
    await turns();
    b.pending.push('b');
    b.finish('a');
    await turns();
    expect(b.started).toEqual(['a', 'b']);
    b.finish('b');
    await first;
    expect(b.pending).toEqual([]);
  });

  it('does not retry a failed item within the drain, and does in the next one', async () => {
    const b = backlog(['bad', 'good']);
    const drainer = new BacklogDrainer({ pending: b.read, work: b.work, onReadError: () => {} });
    const first = drainer.drain();
    await turns();
    b.finish('bad', false);
    await turns();
    b.finish('good');
    await first;
    expect(b.started).toEqual(['bad', 'good']);
    const second = drainer.drain();
    await turns();
    expect(b.started).toEqual(['bad', 'good', 'bad']);
    b.finish('bad');
    await second;
    expect(b.pending).toEqual([]);
  });

  it('works on at most `concurrency` items at once', async () => {
    const b = backlog(['1', '2', '3', '4', '5']);
    const drainer = new BacklogDrainer({ pending: b.read, work: b.work, concurrency: 2, onReadError: () => {} });
    const drained = drainer.drain();
    for (const key of ['1', '2', '3', '4', '5']) {
      await turns();
      b.finish(key);
    }
    await drained;
    expect(b.mostAtOnce).toBe(2);
    expect(b.pending).toEqual([]);
  });

  it('ends the drain when the backlog cannot be read, says so, and never rejects', async () => {
    const errors: unknown[] = [];
    const drainer = new BacklogDrainer({
      pending: () => {
        throw new Error('database is closed');
      },
      work: async () => true,
      onReadError: (error) => errors.push(error),
    });
    await expect(drainer.drain()).resolves.toBeUndefined();
    await drainer.idle();
    expect(errors).toEqual([new Error('database is closed')]);
  });
});
