/**
 * Generated documents (confirmations, invoices) that patients download through signed, expiring links.
 * Files live under DATA_DIR/documents; a link is only valid with an HMAC over the file id and expiry,
 * checked in constant time.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';

export interface StoredDocument {
  fileName: string;
  mime: string;
  bytes: Uint8Array;
}

const FILE_ID = /^[A-Za-z0-9_-]{22,64}$/;
/** An HMAC-SHA256 in unpadded base64url, whose 43rd character carries 2 spare bits that must be zero. */
const SIGNATURE = /^[A-Za-z0-9_-]{42}[AEIMQUYcgkosw048]$/;

export class DocumentVault {
  /**
   * @param root private directory for documents
   * @param signingKey secret for link signatures (see {@link loadOrCreateSigningKey})
   */
  constructor(
    private readonly root: string,
    private readonly signingKey: Buffer,
  ) {}

  /** Stores a document and returns its id. */
  async put(document: StoredDocument): Promise<string> {
    const id = randomBytes(18).toString('base64url');
    await mkdir(this.root, { recursive: true, mode: 0o700 });
    await writeFile(path.join(this.root, `${id}.bin`), document.bytes, { mode: 0o600, flag: 'wx' });
    await writeFile(path.join(this.root, `${id}.json`), JSON.stringify({ fileName: document.fileName, mime: document.mime }), { mode: 0o600 });
    return id;
  }

  /** The document, or undefined when the id is malformed or unknown. */
  async get(id: string): Promise<StoredDocument | undefined> {
    if (!FILE_ID.test(id)) return undefined;
    try {
      const meta = JSON.parse(await readFile(path.join(this.root, `${id}.json`), 'utf8')) as { fileName: string; mime: string };
      return { ...meta, bytes: await readFile(path.join(this.root, `${id}.bin`)) };
    } catch {
      return undefined;
    }
  }

  /** Query string that proves the holder may download `id` until `expiresAt`. */
  sign(id: string, expiresAt: Date): { expires: string; signature: string } {
    const expires = String(Math.floor(expiresAt.getTime() / 1000));
    return { expires, signature: this.signature(id, expires) };
  }

  /** Whether a signature is genuine and not expired at `now`. */
  verify(id: string, expires: string, signature: string, now: Date): boolean {
    if (!/^\d{1,12}$/.test(expires) || Number(expires) * 1000 < now.getTime()) return false;
    // Only the canonical spelling: base64url decoding ignores stray characters and the last
    // character's spare bits, so other strings would decode to the same bytes.
    if (!SIGNATURE.test(signature)) return false;
    const expected = Buffer.from(this.signature(id, expires), 'base64url');
    const given = Buffer.from(signature, 'base64url');
    return given.length === expected.length && timingSafeEqual(given, expected);
  }

  private signature(id: string, expires: string): string {
    return createHmac('sha256', this.signingKey).update(`${id}.${expires}`).digest('base64url');
  }
}

/**
 * The key that signs download links: generated once per data directory and kept there with owner-only
 * permissions, so links survive restarts and no secret has to be configured for a fresh clone.
 */
export async function loadOrCreateSigningKey(file: string): Promise<Buffer> {
  try {
    const key = await readFile(file);
    if (key.length >= 32) return key;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const key = randomBytes(32);
  await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  await writeFile(file, key, { mode: 0o600 });
  return key;
}
