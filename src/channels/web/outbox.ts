/**
 * Persistent outbox of the web chat: everything sent to a web chat session, numbered per session,
 * so a page can fetch what it missed (GET ?after=SEQ) even across server restarts.
 */

/** One message as the web chat API shows it (DESIGN.md "Web chat API"), minus its seq. */
export interface WebMessageBody {
  kind: 'text' | 'menu' | 'link' | 'document' | 'ask-contact';
  text: string;
  options?: { id: string; label: string }[];
  url?: string;
  label?: string;
  fileName?: string;
  /** Private file id of a document; turned into a signed, expiring URL each time it is read. */
  fileId?: string;
}

/** A stored message with its per-session sequence number (1, 2, 3, … within one session). */
export interface StoredWebMessage extends WebMessageBody {
  seq: number;
}

export interface WebOutbox {
  /**
   * Appends messages to a session's outbox in order, numbering them after the session's last seq,
   * atomically. `inReplyTo` is the client message id they answer (null for pushes).
   */
  append(sessionId: string, messages: WebMessageBody[], inReplyTo: string | null, now: Date): Promise<StoredWebMessage[]>;
  /** Messages of the session with seq > afterSeq, oldest first, at most `limit`. */
  listAfter(sessionId: string, afterSeq: number, limit: number): Promise<StoredWebMessage[]>;
  /** The replies already given to a client message id (for a duplicate delivery), oldest first. */
  listReplies(sessionId: string, inReplyTo: string): Promise<StoredWebMessage[]>;
  /** Deletes messages created before `cutoff`; returns how many. */
  deleteOlderThan(cutoff: Date): Promise<number>;
}
