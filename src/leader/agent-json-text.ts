/**
 * The JSON text an agent's state message arrived as, kept beside the decoded message while that
 * is alive, so the replica feed relays the agent's own text instead of serializing the message
 * again (issue #18: at 1,000 nodes, serializing every state delta again for the feed — ~1 KB
 * of metrics per engine — was a third of what the feed cost the leader in a CPU profile).
 * Only text that decoded and validated as the message is kept: the two say the same thing.
 * Weakly held: the text goes when the message does.
 */
const texts = new WeakMap<object, Buffer>();

/** Remembers that `message` was decoded from `text` (UTF-8 JSON). */
export function keepJsonText(message: object, text: Buffer): void {
  texts.set(message, text);
}

/** The text `message` was decoded from, if it was kept. */
export function jsonTextOf(message: object): Buffer | undefined {
  return texts.get(message);
}
