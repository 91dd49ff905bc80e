/**
 * Signed, expiring download links: DocumentVault signing and verification on its own, and GET
 * /files/:id over HTTP against the real app (same DATA_DIR and signing key file as the app uses).
 */
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DocumentVault, loadOrCreateSigningKey } from '../../src/services/files/documentVault.js';
import { startTestApp, START_TIME, type ApiError, type TestApp } from './helpers.js';

const PDF_BYTES = Buffer.from('%PDF-1.4\n% invoice\n%%EOF\n', 'latin1');
const HOUR = 60 * 60_000;

describe('DocumentVault', () => {
  let dir: string;
  let vault: DocumentVault;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'clinic-vault-'));
    vault = new DocumentVault(path.join(dir, 'documents'), await loadOrCreateSigningKey(path.join(dir, 'keys', 'k.key')));
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('stores a document privately and gives it back by id', async () => {
    const id = await vault.put({ fileName: 'invoice.pdf', mime: 'application/pdf', bytes: PDF_BYTES });
    expect(id).toMatch(/^[A-Za-z0-9_-]{22,64}$/);
    const back = await vault.get(id);
    expect(back).toMatchObject({ fileName: 'invoice.pdf', mime: 'application/pdf' });
    expect(Buffer.from(back!.bytes)).toEqual(PDF_BYTES);
    for (const file of await readdir(path.join(dir, 'documents'))) {
      expect((await stat(path.join(dir, 'documents', file))).mode & 0o777).toBe(0o600);
    }
  });

  it('gives nothing back for an unknown or malformed id', async () => {
    expect(await vault.get('A'.repeat(24))).toBeUndefined();
    expect(await vault.get('../keys/k')).toBeUndefined();
    expect(await vault.get('')).toBeUndefined();
  });

  it('accepts its own signature until the expiry and not after', () => {
    const expiresAt = new Date(START_TIME.getTime() + HOUR);
    const { expires, signature } = vault.sign('doc-id-aaaaaaaaaaaaaaaaaa', expiresAt);
    expect(expires).toBe(String(expiresAt.getTime() / 1000));
    expect(vault.verify('doc-id-aaaaaaaaaaaaaaaaaa', expires, signature, START_TIME)).toBe(true);
    expect(vault.verify('doc-id-aaaaaaaaaaaaaaaaaa', expires, signature, expiresAt)).toBe(true);
    expect(vault.verify('doc-id-aaaaaaaaaaaaaaaaaa', expires, signature, new Date(expiresAt.getTime() + 1000))).toBe(false);
  });

  it('refuses a tampered signature, another id, or a moved expiry', () => {
    const id = 'doc-id-bbbbbbbbbbbbbbbbbb';
    const { expires, signature } = vault.sign(id, new Date(START_TIME.getTime() + HOUR));
    const flipped = (signature[0] === 'A' ? 'B' : 'A') + signature.slice(1);
    expect(vault.verify(id, expires, flipped, START_TIME)).toBe(false);
    expect(vault.verify(id, expires, signature.slice(0, -2), START_TIME)).toBe(false);
    expect(vault.verify(id, expires, `${signature}AA`, START_TIME)).toBe(false);
    expect(vault.verify(id, expires, '', START_TIME)).toBe(false);
    // Other spellings of the same bytes: the last character's spare bits, padding, stray characters.
    const base64url = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const spareBits = signature.slice(0, -1) + base64url[base64url.indexOf(signature.at(-1)!) + 1];
    for (const variant of [spareBits, `${signature}=`, `${signature}!!`, ` ${signature}`]) {
      expect(Buffer.from(variant, 'base64url').equals(Buffer.from(signature, 'base64url')), variant).toBe(true);
      expect(vault.verify(id, expires, variant, START_TIME), variant).toBe(false);
    }
    expect(vault.verify('doc-id-cccccccccccccccccc', expires, signature, START_TIME)).toBe(false);
    expect(vault.verify(id, String(Number(expires) + 86_400), signature, START_TIME)).toBe(false);
  });

  it('refuses a malformed expiry without throwing', () => {
    const id = 'doc-id-dddddddddddddddddd';
    const { expires, signature } = vault.sign(id, new Date(START_TIME.getTime() + HOUR));
    for (const bad of ['', 'abc', `-${expires}`, `${expires}.0`, `${expires}x`, ' 1', '1e12', '9'.repeat(13)]) {
      expect(vault.verify(id, bad, signature, START_TIME), bad).toBe(false);
    }
  });

  it('refuses signatures made with another key', async () => {
    const other = new DocumentVault(path.join(dir, 'documents'), await loadOrCreateSigningKey(path.join(dir, 'keys', 'other.key')));
    const id = 'doc-id-eeeeeeeeeeeeeeeeee';
    const { expires, signature } = other.sign(id, new Date(START_TIME.getTime() + HOUR));
    expect(vault.verify(id, expires, signature, START_TIME)).toBe(false);
  });

  it('keeps the signing key in an owner-only file and reuses it', async () => {
    const file = path.join(dir, 'keys', 'reuse.key');
    const first = await loadOrCreateSigningKey(file);
    expect(first.length).toBeGreaterThanOrEqual(32);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(await loadOrCreateSigningKey(file)).toEqual(first);
  });
});

describe('GET /files/:id', () => {
  let t: TestApp;
  let vault: DocumentVault;

  beforeAll(async () => {
    t = await startTestApp();
    vault = new DocumentVault(
      path.join(t.dataDir, 'documents'),
      await loadOrCreateSigningKey(path.join(t.dataDir, 'keys', 'download-signing.key')),
    );
  });

  afterAll(async () => {
    await t?.dispose();
  });

  let clockMoved = 0;
  afterEach(() => {
    t.clock.advanceMinutes(-clockMoved);
    clockMoved = 0;
  });

  function link(id: string, expires: string, signature: string): string {
    return `${t.base}/files/${id}?expires=${encodeURIComponent(expires)}&signature=${encodeURIComponent(signature)}`;
  }

  async function expectRefused(url: string): Promise<void> {
    const response = await fetch(url);
    expect(response.status).toBe(403);
    const body = (await response.json()) as ApiError;
    expect(body.error.code).toBe('LINK_INVALID');
    expect(body.error.message).toMatch(/invalid or has expired/);
  }

  it('serves a document through a valid link as an attachment', async () => {
    const id = await vault.put({ fileName: 'invoice-APT-1.pdf', mime: 'application/pdf', bytes: PDF_BYTES });
    const { expires, signature } = vault.sign(id, new Date(t.clock.now().getTime() + HOUR));
    const response = await fetch(link(id, expires, signature));
    expect(response.status).toBe(200);
    expect(response.headers.get('content-disposition')).toMatch(/^attachment; filename="?invoice-APT-1\.pdf"?$/);
    expect(response.headers.get('content-type')).toMatch(/^application\/pdf/);
    expect(response.headers.get('cache-control')).toBe('private, no-store');
    expect(Buffer.from(await response.arrayBuffer())).toEqual(PDF_BYTES);
  });

  it('refuses a tampered signature, a tampered id and a missing signature with 403 LINK_INVALID', async () => {
    const id = await vault.put({ fileName: 'a.pdf', mime: 'application/pdf', bytes: PDF_BYTES });
    const other = await vault.put({ fileName: 'b.pdf', mime: 'application/pdf', bytes: PDF_BYTES });
    const { expires, signature } = vault.sign(id, new Date(t.clock.now().getTime() + HOUR));
    const flipped = (signature[0] === 'A' ? 'B' : 'A') + signature.slice(1);
    await expectRefused(link(id, expires, flipped));
    await expectRefused(link(other, expires, signature));
    await expectRefused(link(id, String(Number(expires) + 3600), signature));
    await expectRefused(link(id, 'soon', signature));
    await expectRefused(`${t.base}/files/${id}?expires=${expires}`);
    await expectRefused(`${t.base}/files/${id}`);
  });

  it('refuses a link after it expires by the service clock', async () => {
    const id = await vault.put({ fileName: 'c.pdf', mime: 'application/pdf', bytes: PDF_BYTES });
    const { expires, signature } = vault.sign(id, new Date(t.clock.now().getTime() + HOUR));
    expect((await fetch(link(id, expires, signature))).status).toBe(200);

    t.clock.advanceMinutes(61);
    clockMoved += 61;
    await expectRefused(link(id, expires, signature));
  });

  it('answers 404 for a correctly signed link to a document that does not exist', async () => {
    const id = 'Z'.repeat(24);
    const { expires, signature } = vault.sign(id, new Date(t.clock.now().getTime() + HOUR));
    const response = await fetch(link(id, expires, signature));
    expect(response.status).toBe(404);
    expect(((await response.json()) as ApiError).error.code).toBe('NOT_FOUND');
  });
});
