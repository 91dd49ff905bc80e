/**
 * What a medical report may be: PDF, JPEG or PNG, decided by the bytes themselves (a renamed .exe is
 * not a PDF), and no larger than the configured limit.
 */
import { fileTypeFromBuffer } from 'file-type';
import type { Validated } from './validation.js';

export interface ReportFileType {
  ext: 'pdf' | 'jpg' | 'png';
  mime: 'application/pdf' | 'image/jpeg' | 'image/png';
}

const ALLOWED: Record<string, ReportFileType> = {
  'application/pdf': { ext: 'pdf', mime: 'application/pdf' },
  'image/jpeg': { ext: 'jpg', mime: 'image/jpeg' },
  'image/png': { ext: 'png', mime: 'image/png' },
};

export function describeLimit(maxBytes: number): string {
  return `${Math.floor(maxBytes / (1024 * 1024))} MB`;
}

/** Checks a size the platform announced, before any bytes are fetched. */
export function checkReportSize(size: number, maxBytes: number): Validated<number> {
  if (size > maxBytes) {
    return { ok: false, problem: `That file is too large. Reports can be at most ${describeLimit(maxBytes)}; please send a smaller file or a photo of the page.` };
  }
  if (size === 0) return { ok: false, problem: 'That file is empty. Please send the report again.' };
  return { ok: true, value: size };
}

/** Detects the real type of a report from its content. */
export async function detectReportType(bytes: Uint8Array): Promise<Validated<ReportFileType>> {
  const detected = await fileTypeFromBuffer(bytes);
  const type = detected ? ALLOWED[detected.mime] : undefined;
  if (!type) {
    return { ok: false, problem: 'Reports must be a PDF, JPG or PNG file. Please send the report in one of those formats.' };
  }
  return { ok: true, value: type };
}
