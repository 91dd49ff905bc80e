/**
 * Runs tasks one at a time per key (one chat) while different keys run concurrently, so the messages
 * of a chat are handled strictly in arrival order.
 */
import { Mutex } from 'async-mutex';

export class KeyedLock {
  private readonly locks = new Map<string, { mutex: Mutex; users: number }>();

  async run<T>(key: string, task: () => Promise<T>): Promise<T> {
    let entry = this.locks.get(key);
    if (!entry) {
      entry = { mutex: new Mutex(), users: 0 };
      this.locks.set(key, entry);
    }
    entry.users += 1;
    try {
      return await entry.mutex.runExclusive(task);
    } finally {
      entry.users -= 1;
      // Forget idle chats so the map does not grow with every chat ever seen.
      if (entry.users === 0) this.locks.delete(key);
    }
  }

  /** Number of chats with a task running or waiting. */
  get activeKeys(): number {
    return this.locks.size;
  }
}
