/**
 * Per-node agent credentials for the static mode: each node's token is derived from the cluster
 * secret, so the leader needs only the secret and an agent can be handed only its own token.
 * Format: `<node>.<mac>` where mac = base64url(HMAC-SHA256(secret, "infernode-agent:" + node)).
 * Node names may hold dots (DNS subdomains) but base64url never does, so the last dot splits.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

const CONTEXT = 'infernode-agent:';

/** The MAC part of a node's token: base64url(HMAC-SHA256(secret, "infernode-agent:" + node)). */
export function agentTokenMac(secret: string, node: string): string {
  return createHmac('sha256', secret)
    .update(CONTEXT + node)
    .digest('base64url');
}

/** The whole per-node token an agent presents as `Authorization: Bearer <token>`. */
export function deriveAgentToken(secret: string, node: string): string {
  return `${node}.${agentTokenMac(secret, node)}`;
}

/** Splits `<node>.<mac>`; undefined when the text has no node or no MAC. */
export function parseAgentToken(token: string): { node: string; mac: string } | undefined {
  const dot = token.lastIndexOf('.');
  if (dot <= 0 || dot === token.length - 1) return undefined;
  return { node: token.slice(0, dot), mac: token.slice(dot + 1) };
}

/**
 * The node a static token may speak for, or undefined when the token is not one the secret
 * made. The MACs are hashed before the constant-time compare so their lengths do not leak.
 */
export function nodeOfAgentToken(secret: string, token: string): string | undefined {
  const parsed = parseAgentToken(token);
  if (parsed === undefined) return undefined;
  const given = createHash('sha256').update(parsed.mac).digest();
  const want = createHash('sha256').update(agentTokenMac(secret, parsed.node)).digest();
  return timingSafeEqual(given, want) ? parsed.node : undefined;
}
