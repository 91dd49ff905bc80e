/**
 * How a turn's replies are put together: notices go out with what they introduce.
 */
import { describe, expect, it } from 'vitest';
import type { FlowDeps, StepRegistry } from '../../../src/core/flow/turn.js';
import { Turn } from '../../../src/core/flow/turn.js';
import { newSession } from '../../../src/core/session.js';

const NOW = new Date('2026-11-21T04:30:00.000Z');

/** A turn for composing replies only: no step runs and no dependency is used. */
function turn(): Turn {
  return new Turn(newSession(NOW), { channel: 'web', chatId: 'c1', messageId: 'm1', receivedAt: NOW, content: { kind: 'text', text: 'hi' } }, NOW, {} as FlowDeps, {} as StepRegistry);
}

describe('notices', () => {
  it('go out in the same message as the next text, question or menu', () => {
    const t = turn();
    t.notice('That time was just taken.');
    t.notice('Here are the times again.');
    t.menu('Pick a time:', [{ id: 'a', label: '10:00 AM' }]);
    t.notice('Please enter a valid number.');
    t.say({ kind: 'ask-contact', text: 'Your mobile number?' });
    expect(t.replies).toEqual([
      { kind: 'menu', text: 'That time was just taken.\n\nHere are the times again.\n\nPick a time:', options: [{ id: 'a', label: '10:00 AM' }] },
      { kind: 'ask-contact', text: 'Please enter a valid number.\n\nYour mobile number?' },
    ]);
  });

  it('are a message of their own before a document, and when nothing follows them', () => {
    const t = turn();
    t.notice('Here is your invoice.');
    t.say({ kind: 'document', fileName: 'invoice.pdf', mime: 'application/pdf', bytes: new Uint8Array([1]), caption: 'Invoice' });
    t.notice('All set.');
    expect(t.replies.map((r) => (r.kind === 'document' ? r.caption : r.text))).toEqual(['Here is your invoice.', 'Invoice', 'All set.']);
    // Read again, nothing is added twice.
    expect(t.replies).toHaveLength(3);
  });
});
