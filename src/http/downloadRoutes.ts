/**
 * Signed, expiring downloads of generated documents. Medical reports are never served here or anywhere.
 */
import { Router } from 'express';
import type { Clock } from '../core/ports.js';
import type { DocumentVault } from '../services/files/documentVault.js';
import { HttpError } from './httpError.js';

export function downloadRoutes(documents: DocumentVault, clock: Clock): Router {
  const router = Router();
  router.get('/files/:fileId', async (req, res) => {
    const { fileId } = req.params;
    const expires = typeof req.query.expires === 'string' ? req.query.expires : '';
    const signature = typeof req.query.signature === 'string' ? req.query.signature : '';
    if (!documents.verify(fileId, expires, signature, clock.now())) {
      throw new HttpError(403, 'LINK_INVALID', 'This download link is invalid or has expired. Ask the chat for the document again.');
    }
    const document = await documents.get(fileId);
    if (!document) throw new HttpError(404, 'NOT_FOUND', 'That document no longer exists.');
    res.setHeader('Cache-Control', 'private, no-store');
    res.attachment(document.fileName);
    res.type(document.mime);
    res.send(Buffer.from(document.bytes));
  });
  return router;
}
