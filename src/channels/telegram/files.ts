/**
 * Downloads what a patient sent (voice notes, documents, photos) through the Bot API's getFile,
 * refusing files over the upload limit before and while downloading, so a huge file never fills memory.
 */
import { open } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { Telegram } from 'telegraf';
import { ClinicError } from '../../core/errors.js';
import type { FileLoader } from './inbound.js';

/** The file is larger than the service accepts. */
export class TelegramFileTooLargeError extends ClinicError {
  constructor(readonly maxBytes: number) {
    super(`The file is larger than ${Math.floor(maxBytes / (1024 * 1024))} MB; ask for a smaller file.`);
  }
}

/** The file could not be fetched from Telegram (a later try may work). */
export class TelegramFileDownloadError extends ClinicError {}

async function readLocalFile(url: URL, maxBytes: number): Promise<Uint8Array> {
  const handle = await open(fileURLToPath(url), 'r');
  try {
    const { size } = await handle.stat();
    if (size > maxBytes) throw new TelegramFileTooLargeError(maxBytes);
    const bytes = new Uint8Array(size);
    await handle.read(bytes, 0, size, 0);
    return bytes;
  } finally {
    await handle.close();
  }
}

export function telegramFileLoader(telegram: Telegram): FileLoader {
  return async (fileId, maxBytes) => {
    const file = await telegram.getFile(fileId);
    if (file.file_size !== undefined && file.file_size > maxBytes) throw new TelegramFileTooLargeError(maxBytes);
    const url = await telegram.getFileLink(file);
    // A local Bot API server (--local) hands out paths on its own disk.
    if (url.protocol === 'file:') return readLocalFile(url, maxBytes);
    const response = await fetch(url, { signal: AbortSignal.timeout(60_000) });
    if (!response.ok || !response.body) throw new TelegramFileDownloadError(`Telegram answered ${response.status} to a file download; the patient can send it again.`);
    const announced = Number(response.headers.get('content-length') ?? NaN);
    if (announced > maxBytes) {
      await response.body.cancel();
      throw new TelegramFileTooLargeError(maxBytes);
    }
    const chunks: Uint8Array[] = [];
    let total = 0;
    for await (const chunk of response.body) {
      total += chunk.byteLength;
      if (total > maxBytes) throw new TelegramFileTooLargeError(maxBytes);
      chunks.push(chunk);
    }
    return new Uint8Array(Buffer.concat(chunks));
  };
}
