/**
 * Medical reports on the local disk, under DATA_DIR/reports: a private directory that no route serves.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { ReportRef } from '../../core/domain.js';
import type { ReportStorage } from '../../core/ports.js';

const SAFE_ID = /^[A-Za-z0-9_-]{1,64}$/;

export class LocalReportStorage implements ReportStorage {
  /** @param root private directory for reports, e.g. DATA_DIR/reports */
  constructor(private readonly root: string) {}

  async save(appointmentId: string, bytes: Uint8Array, type: { ext: string; mime: string }, now: Date): Promise<ReportRef> {
    if (!SAFE_ID.test(appointmentId)) throw new Error(`Refusing to store a report for the malformed appointment id "${appointmentId}".`);
    const id = randomUUID();
    const relative = path.posix.join(appointmentId, `${id}.${type.ext}`);
    const directory = path.join(this.root, appointmentId);
    // Owner-only permissions: reports are medical data.
    await mkdir(directory, { recursive: true, mode: 0o700 });
    await writeFile(path.join(this.root, relative), bytes, { mode: 0o600, flag: 'wx' });
    return { id, path: relative, mime: type.mime, size: bytes.byteLength, receivedAt: now.toISOString() };
  }

  async read(ref: ReportRef): Promise<Uint8Array> {
    const full = path.resolve(this.root, ref.path);
    if (!full.startsWith(path.resolve(this.root) + path.sep)) throw new Error(`Report path "${ref.path}" points outside the report directory.`);
    return readFile(full);
  }
}
