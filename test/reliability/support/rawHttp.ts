/**
 * A GET with the path sent exactly as written: fetch and URL normalise "..", "%2e" and backslashes
 * away, which is the opposite of what an attacker probing for files does.
 */
import { request } from 'node:http';

export interface RawResponse {
  status: number;
  contentType: string;
  body: Buffer;
}

export function rawGet(port: number, rawPath: string, headers: Record<string, string> = {}): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method: 'GET', path: rawPath, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, contentType: String(res.headers['content-type'] ?? ''), body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}
