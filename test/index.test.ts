/**
 * The service as a process: started the way `npm start` starts it, killed mid-conversation, started
 * again on the same data directory.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { once } from 'node:events';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '..');
const dataDir = mkdtempSync(path.join(os.tmpdir(), 'clinic-process-'));
const sessionId = 'process-test-session-0001';
const children: ChildProcessWithoutNullStreams[] = [];

afterAll(() => {
  for (const child of children) child.kill('SIGKILL');
  rmSync(dataDir, { recursive: true, force: true });
});

function startService(env: Record<string, string> = {}) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/index.ts'], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', DATA_DIR: dataDir, PORT: '0', LOG_LEVEL: 'warn', ...env },
  });
  children.push(child);
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const ready = new Promise<string>((resolve, reject) => {
    child.stdout.on('data', () => {
      const match = /open (http:\/\/localhost:\d+) to chat/.exec(output);
      if (match) resolve(match[1]!.replace('localhost', '127.0.0.1'));
    });
    child.once('exit', (code) => reject(new Error(`service exited with ${code}:\n${output}`)));
  });
  return { child, ready, output: () => output };
}

async function send(url: string, body: object): Promise<{ kind: string; text: string }[]> {
  const response = await fetch(`${url}/api/chat/${sessionId}/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  expect(response.status).toBe(200);
  return ((await response.json()) as { messages: { kind: string; text: string }[] }).messages;
}

describe('the service process', () => {
  it('prints one line per channel and service, then the URL', async () => {
    const service = startService();
    await service.ready;
    const lines = service.output().split('\n');
    for (const name of ['store', 'web chat', 'telegram', 'telegram admin', 'whatsapp', 'payments', 'ai', 'reminders']) {
      expect(lines.some((line) => new RegExp(`^${name}: (on|off) \\(.+\\)$`).test(line))).toBe(true);
    }
    service.child.kill('SIGTERM');
    const [code] = await once(service.child, 'exit');
    expect(code).toBe(0);
  });

  it('resumes every conversation after being killed mid-flow', async () => {
    const first = startService();
    const url = await first.ready;
    await send(url, { text: 'hi' });
    await send(url, { choice: 'book' });
    await send(url, { text: 'Asha Rao' });
    const askAge = await send(url, { text: '98765 43210' });
    expect(askAge.at(-1)?.text).toContain('How old');

    first.child.kill('SIGKILL');
    await once(first.child, 'exit');

    const second = startService();
    const url2 = await second.ready;
    const replies = await send(url2, { text: '34' });
    expect(replies.at(-1)?.text).toContain("What is the patient's gender?");
    // The transcript survived too: every reply of both runs, numbered without gaps.
    const history = (await (await fetch(`${url2}/api/chat/${sessionId}/messages?after=0`)).json()) as { messages: { seq: number; kind: string }[] };
    expect(history.messages.map((m) => [m.seq, m.kind])).toEqual([
      [1, 'menu'],
      [2, 'text'],
      [3, 'ask-contact'],
      [4, 'text'],
      [5, 'menu'],
    ]);
    second.child.kill('SIGTERM');
    await once(second.child, 'exit');
  });

  it('refuses to start with a bad setting and names the variable', async () => {
    const service = startService({ PORT: 'abc', CLINIC_TIMEZONE: 'Mars/Base' });
    await expect(service.ready).rejects.toThrow(/exited with 1/);
    expect(service.output()).toContain('PORT');
    expect(service.output()).toContain('CLINIC_TIMEZONE');
  });
});
