/** Test-only worker entry: the real render worker, which dies on the crash appointment (exitOnCrashJob.ts). */
import './exitOnCrashJob.js';
import '../../../src/services/documents/renderWorker.js';
