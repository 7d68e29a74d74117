import { describe, expect, it } from 'vitest';
import { keepJsonText } from '../../../src/leader/agent-json-text.js';
import { replicaDeltaText } from '../../../src/leader/replica-delta-text.js';
import {
  PROTOCOL_VERSION,
  decodeAgentMessage,
  decodeReplicaFeedMessage,
  type StateMessage,
} from '../../../src/protocol/index.js';

// An agent's state delta as it might arrive: its own spacing, key order and a non-ASCII name.
const agentText = Buffer.from(
  '{ "seq": 7, "type": "state", "v": 1,\n  "engines": [{"id":"n1/é-0","model":"m","url":"http://10.0.0.1:8000",' +
    '"ready":true,"adapters":["lora-a"],"draining":true}], "removedEngines": ["n1/old"] }',
);

function decodedDelta(): StateMessage {
  const decoded = decodeAgentMessage(agentText);
  if (!decoded.ok || decoded.message.type !== 'state') throw new Error('fixture does not decode');
  return decoded.message;
}

describe('replicaDeltaText', () => {
  it('relays a state delta in the agent’s own text, decoding to what serializing it gives', () => {
    const delta = decodedDelta();
    keepJsonText(delta, agentText);
    const node = 'node "quoted" ü';
    const spliced = replicaDeltaText({ type: 'replica.state', node, delta }, 42);
    expect(Buffer.isBuffer(spliced)).toBe(true);
    expect(spliced.toString()).toContain(agentText.toString());
    const relayed = decodeReplicaFeedMessage(spliced);
    const serialized = decodeReplicaFeedMessage(
      JSON.stringify({ type: 'replica.state', node, delta, v: PROTOCOL_VERSION, seq: 42 }),
    );
    expect(relayed.ok).toBe(true);
    expect(relayed).toEqual(serialized);
    expect(relayed.ok && relayed.message).toMatchObject({ seq: 42, node, delta: { seq: 7 } });
  });

  it('serializes a delta whose text was not kept, and every other kind of delta', () => {
    const delta = decodedDelta(); // decoded anew: no text kept for this object
    const state = replicaDeltaText({ type: 'replica.state', node: 'n1', delta }, 3);
    expect(typeof state).toBe('string');
    expect(JSON.parse(state as string)).toEqual({
      type: 'replica.state',
      node: 'n1',
      delta,
      v: PROTOCOL_VERSION,
      seq: 3,
    });
    const lost = replicaDeltaText({ type: 'replica.lost', node: 'n1' }, 4);
    expect(JSON.parse(lost as string)).toEqual({
      type: 'replica.lost',
      node: 'n1',
      v: PROTOCOL_VERSION,
      seq: 4,
    });
  });
});
