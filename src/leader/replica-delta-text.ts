/**
 * The replica feed's deltas as text: a delta before the feed numbers it, and its JSON as sent.
 */
import { PROTOCOL_VERSION, type ReplicaDelta } from '../protocol/index.js';
import { jsonTextOf } from './agent-json-text.js';

/** A delta before the feed numbers it. */
export type UnnumberedDelta = ReplicaDelta extends infer D
  ? D extends ReplicaDelta
    ? Omit<D, 'seq' | 'v'>
    : never
  : never;

/**
 * A delta's JSON text as the feed sends it. A state delta the agent hub kept the agent's own
 * text for (agent-json-text.ts) carries that text as is: serializing each one again was a third
 * of the feed's cost on the leader at 1,000 nodes in a CPU profile (issue #18).
 */
export function replicaDeltaText(delta: UnnumberedDelta, seq: number): string | Buffer {
  if (delta.type === 'replica.state') {
    const text = jsonTextOf(delta.delta);
    if (text !== undefined) {
      const head = `{"type":"replica.state","node":${JSON.stringify(delta.node)},"delta":`;
      const tail = `,"v":${PROTOCOL_VERSION},"seq":${seq}}`;
      return Buffer.concat([Buffer.from(head), text, Buffer.from(tail)]);
    }
  }
  return JSON.stringify({ ...delta, v: PROTOCOL_VERSION, seq });
}
