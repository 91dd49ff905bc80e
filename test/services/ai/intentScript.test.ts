/**
 * `npm run intent` as an operator runs it: utterances on stdin, one JSON object per line on stdout, from
 * the rules without a key and from Gemini (the emulator) with one.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { intentAnswer, startGeminiEmulator, type GeminiEmulator } from '../../support/geminiEmulator.js';
import { DOCTORS_CSV } from './fixtureSet.js';

let gemini: GeminiEmulator;
let dataDir: string;
beforeAll(async () => {
  gemini = await startGeminiEmulator();
  dataDir = await mkdtemp(path.join(tmpdir(), 'clinic-intent-'));
});
afterAll(async () => {
  await gemini.close();
  await rm(dataDir, { recursive: true, force: true });
});

function runIntent(args: string[], input: string, env: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/intent.ts', ...args], {
      cwd: path.resolve(import.meta.dirname, '..', '..', '..'),
      // An empty GEMINI_API_KEY wins over a developer's .env, so the rules test never leaves the machine.
      env: { PATH: process.env.PATH ?? '', DATA_DIR: dataDir, LOG_LEVEL: 'silent', GEMINI_API_KEY: '', GEMINI_API_URL: '', ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(input);
  });
}

const NOW = ['--now', '2026-11-21T10:00:00+05:30'];

describe('npm run intent', () => {
  it('prints one JSON object per utterance from the rules, against a Doctors CSV', async () => {
    const { code, stdout } = await runIntent([...NOW, '--doctors', DOCTORS_CSV], 'book Dr Rajiv tomorrow 10am\n\nskin doctor kal subah\n');
    expect(code).toBe(0);
    const lines = stdout.trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines).toEqual([
      { text: 'book Dr Rajiv tomorrow 10am', intent: 'book', specialty: null, doctor: 'D-CARD', date: '2026-11-22', timeOfDay: null, time: '10:00', source: 'rules' },
      { text: 'skin doctor kal subah', intent: 'book', specialty: 'Dermatology', doctor: null, date: '2026-11-22', timeOfDay: 'morning', time: null, source: 'rules' },
    ]);
  });

  it("uses Gemini with a key, and the store's (sample) doctors without --doctors", async () => {
    gemini.handle((call) => intentAnswer({ intent: 'book', specialty: call.system.includes('Dermatology') ? 'Dermatology' : null, date: '2026-11-22' }));
    const { code, stdout } = await runIntent(NOW, 'skin doctor tomorrow\n', { GEMINI_API_KEY: gemini.apiKey, GEMINI_API_URL: gemini.url });
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({ intent: 'book', specialty: 'Dermatology', date: '2026-11-22', source: 'gemini' });
    expect(gemini.calls.at(-1)?.system).toContain('Dr. Rohan Mehta (sample)');
  });

  it('refuses a bad --now clearly', async () => {
    const { code, stderr } = await runIntent(['--now', 'yesterday-ish'], '');
    expect(code).toBe(2);
    expect(stderr).toContain('--now');
  });
});
