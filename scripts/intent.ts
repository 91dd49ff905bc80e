/**
 * `npm run intent`: reads patient messages, one per line, on standard input and prints what the bot
 * understands of each as one JSON object per line:
 *   {"text","intent","specialty","doctor","date","timeOfDay","time","source"}
 * (doctor is the doctor's id; date YYYY-MM-DD and time HH:MM in the clinic's time zone; null where
 * absent; source "gemini" or "rules"). It runs the same detector as the bot: Gemini when
 * GEMINI_API_KEY is set, the rules otherwise and whenever Gemini fails.
 *
 *   --now <ISO time>   reference instant (default: now), e.g. 2026-11-21T10:00:00+05:30
 *   --doctors <file>   a Doctors tab as CSV (Doctor ID, Name, Specialty, Fee, Active); default: the
 *                      doctors of the SQLite store in DATA_DIR (with the sample doctors on a fresh one)
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import { loadConfig, type AppConfig } from '../src/config.js';
import type { DoctorDirectoryEntry } from '../src/core/ports.js';
import { doctorsFromCsv } from '../src/services/ai/doctorsCsv.js';
import { createIntentDetector } from '../src/services/ai/index.js';
import { openClinicDatabase, seedSampleData, SqliteClinicStore } from '../src/store/sqlite/index.js';

function fail(message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(2);
}

async function storeDoctors(config: AppConfig, now: Date): Promise<DoctorDirectoryEntry[]> {
  mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  const db = openClinicDatabase(path.join(config.dataDir, 'clinic.db'));
  seedSampleData(db, { now, timezone: config.clinic.timezone });
  const store = new SqliteClinicStore(db);
  try {
    return (await store.listDoctors()).map(({ id, name, specialty }) => ({ id, name, specialty }));
  } finally {
    await store.close();
  }
}

async function main(): Promise<void> {
  if (existsSync('.env')) process.loadEnvFile('.env');
  const { values } = parseArgs({ options: { now: { type: 'string' }, doctors: { type: 'string' } } });
  const now = values.now ? new Date(values.now) : new Date();
  if (Number.isNaN(now.getTime())) fail(`--now "${values.now}" is not an ISO time such as 2026-11-21T10:00:00+05:30.`);
  const config = loadConfig(process.env);
  let doctors: DoctorDirectoryEntry[];
  if (values.doctors) {
    if (!existsSync(values.doctors)) fail(`--doctors: no file at ${values.doctors}.`);
    doctors = doctorsFromCsv(readFileSync(values.doctors, 'utf8'));
  } else {
    doctors = await storeDoctors(config, now);
  }
  // Warnings (Gemini failed, the rules answered) go to stderr, so stdout stays one JSON object per line.
  const logger = pino({ level: 'warn' }, pino.destination(2));
  const detector = createIntentDetector(config, { clock: { now: () => new Date() }, logger });
  const context = { now, timezone: config.clinic.timezone, doctors };

  for await (const line of createInterface({ input: process.stdin, crlfDelay: Infinity })) {
    const text = line.trim();
    if (text === '') continue;
    const intent = await detector.detect(text, context);
    process.stdout.write(
      `${JSON.stringify({
        text,
        intent: intent.intent,
        specialty: intent.specialty,
        doctor: intent.doctorId,
        date: intent.date,
        timeOfDay: intent.timeOfDay,
        time: intent.time,
        source: intent.source,
      })}\n`,
    );
  }
}

main().catch((error: unknown) => fail(error instanceof Error ? error.message : String(error)));
