/** The start-up line of the "ai" feature. */
import type { AppConfig } from '../../config.js';

export function describeAi(config: Pick<AppConfig, 'gemini'>): string {
  return config.gemini
    ? `Gemini ${config.gemini.model} for free text and voice notes, rules when it fails`
    : 'rules for free text; Gemini off: GEMINI_API_KEY not set, so voice notes are not transcribed';
}
