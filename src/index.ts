/**
 * Process entry point: reads the environment (and .env, if present), starts the service, prints one
 * line per channel and service, and shuts down gracefully on SIGINT/SIGTERM.
 */
import { startApp, type RunningApp } from './app.js';
import { ConfigError, loadConfig } from './config.js';
import { featureLine } from './features.js';

function loadDotEnv(): void {
  try {
    process.loadEnvFile('.env');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
}

async function main(): Promise<void> {
  loadDotEnv();
  const config = loadConfig(process.env);

  // Signals are caught from the first moment: one that arrives while starting stops the service as
  // soon as it is up, cleanly, instead of killing it half-started.
  let running: Promise<RunningApp> | undefined;
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) {
      console.error(`${signal} again: exiting without waiting.`);
      process.exit(1);
    }
    stopping = true;
    console.log(`${signal} received: finishing messages in progress, then stopping.`);
    if (!running) process.exit(0);
    running
      .then((app) => app.close())
      .then(
        () => process.exit(0),
        (error: unknown) => {
          console.error('Shutdown failed:', error);
          process.exit(1);
        },
      );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);

  running = startApp(config);
  const app = await running;
  if (stopping) return;
  for (const feature of app.features) console.log(featureLine(feature));
  console.log(`Clinic booking service ready: open ${app.url} to chat.`);
}

main().catch((error: unknown) => {
  console.error(error instanceof ConfigError ? error.message : `Could not start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
