import { describe, expect, it } from 'vitest';
import { KeyedLock } from '../../src/core/keyedLock.js';

/** A promise the test resolves by hand, to control interleaving without timers. */
function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

describe('KeyedLock', () => {
  it('runs tasks of one key in arrival order, one at a time', async () => {
    const lock = new KeyedLock();
    const gate = deferred();
    const events: string[] = [];
    const first = lock.run('chat', async () => {
      events.push('first start');
      await gate.promise;
      events.push('first end');
    });
    const second = lock.run('chat', async () => {
      events.push('second');
    });
    await Promise.resolve();
    expect(events).toEqual(['first start']);
    gate.resolve();
    await Promise.all([first, second]);
    expect(events).toEqual(['first start', 'first end', 'second']);
  });

  it('lets different keys run concurrently', async () => {
    const lock = new KeyedLock();
    const gate = deferred();
    const events: string[] = [];
    const blocked = lock.run('a', async () => {
      await gate.promise;
      events.push('a');
    });
    await lock.run('b', async () => {
      events.push('b');
    });
    expect(events).toEqual(['b']);
    gate.resolve();
    await blocked;
    expect(lock.activeKeys).toBe(0);
  });

  it('keeps going after a task fails', async () => {
    const lock = new KeyedLock();
    await expect(lock.run('k', async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    await expect(lock.run('k', async () => 'ok')).resolves.toBe('ok');
  });
});
