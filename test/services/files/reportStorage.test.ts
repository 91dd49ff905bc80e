/**
 * Medical reports on disk: owner-only files under the appointment's directory, and no way to write
 * or read outside the report root.
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ReportRef } from '../../../src/core/domain.js';
import { LocalReportStorage } from '../../../src/services/files/reportStorage.js';

const PDF = { ext: 'pdf', mime: 'application/pdf' } as const;
const NOW = new Date('2026-03-02T04:00:00Z');
const BYTES = new Uint8Array(Buffer.from('%PDF-1.4\n%%EOF\n', 'latin1'));

let dir: string;
let root: string;
let storage: LocalReportStorage;

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'clinic-reports-'));
  root = path.join(dir, 'reports');
  storage = new LocalReportStorage(root);
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('LocalReportStorage.save', () => {
  it('writes the bytes with owner-only permissions under the appointment directory', async () => {
    const ref = await storage.save('APT-ABC123', BYTES, PDF, NOW);
    expect(ref).toMatchObject({ mime: 'application/pdf', size: BYTES.byteLength, receivedAt: NOW.toISOString() });
    expect(ref.path).toBe(`APT-ABC123/${ref.id}.pdf`);
    const file = path.join(root, ref.path);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect((await stat(path.join(root, 'APT-ABC123'))).mode & 0o777).toBe(0o700);
    expect(new Uint8Array(await storage.read(ref))).toEqual(BYTES);
  });

  it('keeps two reports of one appointment apart', async () => {
    const a = await storage.save('APT-1', BYTES, PDF, NOW);
    const b = await storage.save('APT-1', new Uint8Array([1, 2, 3]), { ext: 'png', mime: 'image/png' }, NOW);
    expect(a.id).not.toBe(b.id);
    expect((await readdir(path.join(root, 'APT-1'))).sort()).toEqual([`${a.id}.pdf`, `${b.id}.png`].sort());
  });

  for (const bad of ['../x', '..', 'a/b', 'APT 1', '', 'x'.repeat(65), '/etc', 'APT-1\0']) {
    it(`refuses the malformed appointment id ${JSON.stringify(bad.slice(0, 12))} and writes nothing`, async () => {
      await expect(storage.save(bad, BYTES, PDF, NOW)).rejects.toThrow(/malformed appointment id/);
      expect(existsSync(root)).toBe(false);
      expect(await readdir(dir)).toEqual([]);
    });
  }
});

describe('LocalReportStorage.read', () => {
  function ref(relative: string): ReportRef {
    return { id: 'r', path: relative, mime: 'application/pdf', size: 1, receivedAt: NOW.toISOString() };
  }

  it('refuses paths outside the report root', async () => {
    // Real files next to the root, so a refusal is not just "file not found".
    await mkdir(root, { recursive: true });
    await writeFile(path.join(dir, 'secret.txt'), 'outside');
    await mkdir(path.join(dir, 'reports-other'));
    await writeFile(path.join(dir, 'reports-other', 'x.pdf'), 'sibling');
    for (const outside of ['../secret.txt', 'APT-1/../../secret.txt', '../reports-other/x.pdf', path.join(dir, 'secret.txt'), '.', '']) {
      await expect(storage.read(ref(outside)), outside).rejects.toThrow(/outside the report directory/);
    }
  });

  it('reads a report inside the root even through a harmless ./ segment', async () => {
    const saved = await storage.save('APT-2', BYTES, PDF, NOW);
    expect(new Uint8Array(await storage.read(ref(`./${saved.path}`)))).toEqual(BYTES);
  });
});
