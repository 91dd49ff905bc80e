/**
 * Starts a worker thread on a module of this code base, whether the service runs from the compiled
 * JavaScript (dist/, `npm start`) or from the TypeScript sources (tsx, `npm run dev`, vitest).
 *
 * Node 20 cannot load `.ts` by itself, and `--import tsx` in a worker's execArgv does not help: Node 20
 * resolves the worker's entry before the module hooks that flag registers apply to it (the entry fails
 * with ERR_UNKNOWN_FILE_EXTENSION). So a `.ts` entry is started from a one-line bootstrap that first
 * installs tsx's synchronous require hooks (tsx/cjs, a dev dependency, present wherever sources run)
 * and then requires the entry, which tsx compiles on the way in.
 */
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';

/** The sibling module `name` (without extension) of the module at `moduleUrl`, in the same language. */
export function siblingModule(moduleUrl: string, name: string): URL {
  return new URL(`./${name}${moduleUrl.endsWith('.ts') ? '.ts' : '.js'}`, moduleUrl);
}

/** Starts a worker running `entry`; throws if worker threads or tsx (for a `.ts` entry) are unavailable. */
export function startModuleWorker(entry: URL): Worker {
  if (!entry.pathname.endsWith('.ts')) return new Worker(entry);
  const tsxHooks = createRequire(import.meta.url).resolve('tsx/cjs');
  const bootstrap = `require(${JSON.stringify(tsxHooks)}); require(${JSON.stringify(fileURLToPath(entry))});`;
  // No inherited execArgv: a tsx CLI parent's own --import/--require flags are no use in the worker.
  return new Worker(bootstrap, { eval: true, execArgv: [] });
}
