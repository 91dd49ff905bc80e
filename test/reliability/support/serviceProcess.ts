/**
 * The service as a real process, started the way `npm start` runs it (from the TypeScript sources),
 * on a data directory that outlives it: killed with SIGKILL, it can be started again on the same data.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '../../..');

export interface ServiceProcess {
  child: ChildProcessWithoutNullStreams;
  /** Resolves with the base URL (127.0.0.1) once the ready line is printed; rejects if the process exits first. */
  ready: Promise<string>;
  /** Resolves when the process has exited. */
  exited: Promise<void>;
  /** Everything the process printed so far. */
  output(): string;
}

/** Starts `node --import tsx src/index.ts` with only PATH and `env` in its environment. */
export function startServiceProcess(env: Record<string, string>): ServiceProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/index.ts'], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', PORT: '0', LOG_LEVEL: 'warn', LOG_FORMAT: 'json', ...env },
  });
  let output = '';
  const exited = once(child, 'exit').then(() => undefined);
  const ready = new Promise<string>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = /open (http:\/\/localhost:\d+) to chat/.exec(output);
      if (match) resolve(match[1]!.replace('localhost', '127.0.0.1'));
    });
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    void exited.then(() => reject(new Error(`service exited before it was ready:\n${output}`)));
  });
  // A rejection nobody awaits (the process was killed after it was ready) is not an error.
  ready.catch(() => undefined);
  return { child, ready, exited, output: () => output };
}

/** A small seeded PRNG (mulberry32): the same seed gives the same kill points on every run. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}
