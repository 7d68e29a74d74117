/**
 * Validation of the replica feed's messages (replica-messages.ts). Relayed agent content is
 * checked with the agent protocol's own checks, so a follower holds nothing an agent could not
 * have sent. Never throws on bad input.
 */
import {
  REPLICA_LIMITS,
  type ReplicaFeedMessage,
  type ReplicaFollowerMessage,
} from './replica-messages.js';
import { checkAgentMessage, decodeEnvelope, type Decoded } from './validate.js';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);
const isStr = (v: unknown, max = 1024): v is string =>
  typeof v === 'string' && v.length > 0 && v.length <= max;
const isSeq = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0;

function checkNode(n: unknown): string | undefined {
  if (!isObj(n) || !isStr(n.node, 253) || !isStr(n.agentVersion, 64))
    return 'node needs node and agentVersion';
  if (typeof n.connected !== 'boolean') return `node ${n.node}: connected must be a boolean`;
  // The snapshot is exactly what the agent's hello carried: check it as one.
  return checkAgentMessage({
    type: 'hello',
    node: n.node,
    agentVersion: n.agentVersion,
    seq: 0,
    snapshot: n.snapshot,
  });
}

function checkInsertions(list: unknown): string | undefined {
  if (!Array.isArray(list) || list.length > REPLICA_LIMITS.insertions)
    return `insertions must be a list of at most ${REPLICA_LIMITS.insertions}`;
  for (const i of list) {
    if (!isObj(i) || !isStr(i.endpoint)) return 'insertion needs endpoint';
    const hashes = i.hashes;
    if (
      !Array.isArray(hashes) ||
      hashes.length > REPLICA_LIMITS.hashesPerInsertion ||
      !hashes.every((h) => Number.isSafeInteger(h) && (h as number) >= 0)
    )
      return `insertion for ${i.endpoint}: hashes must be non-negative integers`;
    if (
      i.capacityTokens !== undefined &&
      !(Number.isSafeInteger(i.capacityTokens) && (i.capacityTokens as number) > 0)
    )
      return `insertion for ${i.endpoint}: capacityTokens must be a positive integer`;
  }
  return undefined;
}

function checkFeed(m: Obj): string | undefined {
  if (!isSeq(m.seq)) return `${String(m.type)} needs seq`;
  switch (m.type) {
    case 'replica.welcome': {
      if (!isStr(m.leader) || !isSeq(m.epoch)) return 'welcome needs leader and epoch';
      if (!Array.isArray(m.nodes) || m.nodes.length > REPLICA_LIMITS.nodes)
        return `welcome nodes must be a list of at most ${REPLICA_LIMITS.nodes}`;
      for (const n of m.nodes) {
        const problem = checkNode(n);
        if (problem !== undefined) return problem;
      }
      return checkInsertions(m.prefixes);
    }
    case 'replica.node':
      return checkNode(m.node);
    case 'replica.state':
      if (!isStr(m.node, 253) || !isObj(m.delta)) return 'state needs node and delta';
      return m.delta.type === 'state' ? checkAgentMessage(m.delta) : 'delta must be a state';
    case 'replica.lost':
      return isStr(m.node, 253) ? undefined : 'lost needs node';
    case 'replica.kv':
      if (!isStr(m.node, 253) || !isObj(m.batch)) return 'kv needs node and batch';
      return m.batch.type === 'kv' ? checkAgentMessage(m.batch) : 'batch must be a kv message';
    case 'replica.prefix':
      return checkInsertions(m.insertions);
    default:
      return `unknown replica message type ${JSON.stringify(m.type)}`;
  }
}

/** Decodes and validates a message from the leader's replica feed. */
export function decodeReplicaFeedMessage(raw: string | Buffer): Decoded<ReplicaFeedMessage> {
  const p = decodeEnvelope(raw);
  if (!p.ok) return p;
  const problem = checkFeed(p.message);
  return problem === undefined
    ? { ok: true, message: p.message as unknown as ReplicaFeedMessage }
    : { ok: false, reason: problem };
}

/** Decodes and validates a message from a follower. */
export function decodeReplicaFollowerMessage(
  raw: string | Buffer,
): Decoded<ReplicaFollowerMessage> {
  const p = decodeEnvelope(raw);
  if (!p.ok) return p;
  const m = p.message;
  let problem: string | undefined;
  if (m.type === 'replica.hello')
    problem = !isStr(m.identity, 253)
      ? 'hello needs identity'
      : m.kvBinary !== undefined && m.kvBinary !== true
        ? 'hello kvBinary must be true when present'
        : undefined;
  else if (m.type === 'replica.prefix') problem = checkInsertions(m.insertions);
  else problem = `unknown follower message type ${JSON.stringify(m.type)}`;
  return problem === undefined
    ? { ok: true, message: m as unknown as ReplicaFollowerMessage }
    : { ok: false, reason: problem };
}
