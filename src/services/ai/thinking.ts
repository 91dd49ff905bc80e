/**
 * How much a Gemini model may "think" before answering. Reading a booking request or writing down a
 * voice note needs no reasoning, and thinking costs seconds against a 4-second timeout (2.5 Flash
 * thinks by default). The least each model family accepts, per Google's thinking guide
 * (ai.google.dev/gemini-api/docs/thinking):
 * - 2.5 Flash and 2.5 Flash-Lite: a budget of 0 turns thinking off;
 * - 2.5 Pro cannot stop thinking: its smallest budget is 128 tokens;
 * - Gemini 3 models take a level instead of a budget; "low" is one every one of them takes;
 * - other models (2.0, aliases such as gemini-flash-latest) get no setting: a thinking setting a model
 *   does not take is an error (HTTP 400) on every request.
 */
import { ThinkingLevel, type ThinkingConfig } from '@google/genai';

export function leastThinking(model: string): ThinkingConfig | undefined {
  const name = model.replace(/^models\//, '').toLowerCase();
  if (name.startsWith('gemini-2.5-flash')) return { thinkingBudget: 0 };
  if (name.startsWith('gemini-2.5-pro')) return { thinkingBudget: 128 };
  if (/^gemini-3(\.\d+)?-/.test(name)) return { thinkingLevel: ThinkingLevel.LOW };
  return undefined;
}
