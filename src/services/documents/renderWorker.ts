/**
 * Entry of a PDF render worker thread (see renderPool.ts). It builds one jsPDF renderer, which reads
 * the fonts once for this thread, says it is ready, then renders one job per request and transfers
 * the PDF's bytes back. A renderer error fails only that job; the worker keeps serving.
 */
import { parentPort } from 'node:worker_threads';
import { JsPdfDocumentRenderer } from './pdfRenderer.js';
import { renderJob, type RenderRequest, type RenderWorkerMessage } from './renderJob.js';

const port = parentPort;
if (!port) throw new Error('renderWorker.js is the entry of a worker thread; the PDF render pool starts it.');

const renderer = new JsPdfDocumentRenderer();

port.on('message', async ({ id, job }: RenderRequest) => {
  let answer: RenderWorkerMessage;
  try {
    let bytes = await renderJob(renderer, job);
    // Transfer a buffer that holds exactly the PDF, so nothing else crosses (or is detached) with it.
    if (bytes.byteOffset !== 0 || bytes.byteLength !== bytes.buffer.byteLength) bytes = bytes.slice();
    answer = { type: 'done', id, bytes };
    port.postMessage(answer, [bytes.buffer as ArrayBuffer]);
  } catch (error) {
    const failure = error instanceof Error ? error : new Error(String(error));
    answer = { type: 'failed', id, error: { name: failure.name, message: failure.message } };
    port.postMessage(answer);
  }
});

port.postMessage({ type: 'ready' } satisfies RenderWorkerMessage);
