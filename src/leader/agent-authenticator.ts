/**
 * The port that binds an agent connection to a node: it maps the bearer credential an agent
 * presents to the one node that credential may speak for. The hub then refuses a `hello` for any
 * other node, so a leaked or stolen token can at most impersonate its own node.
 * Adapters: static per-node tokens (adapters/static-agent-authenticator.ts) and Kubernetes
 * ServiceAccount tokens checked by TokenReview (adapters/token-review-agent-authenticator.ts).
 */

/** Why a credential was refused: a fixed set, used as a metric label. */
export type AgentAuthFailure = 'unauthorized' | 'auth-unavailable';

/** What a credential proves: the node it may speak for, or why it proves nothing. */
export type AgentAuthResult =
  | { readonly ok: true; readonly node: string }
  | { readonly ok: false; readonly reason: AgentAuthFailure; readonly detail: string };

/** Maps a presented credential to the node identity it is allowed to speak for. */
export interface AgentAuthenticator {
  /** Never throws: a failure of the check itself is `auth-unavailable`. */
  authenticate(credential: string, options: { signal: AbortSignal }): Promise<AgentAuthResult>;
}

/** The credential of an `Authorization: Bearer <credential>` header; undefined when absent. */
export function bearerCredential(header: string | undefined): string | undefined {
  if (!header?.startsWith('Bearer ')) return undefined;
  const credential = header.slice('Bearer '.length).trim();
  return credential === '' ? undefined : credential;
}

/** Runs one check bounded by `timeoutMs`; a throwing adapter counts as `auth-unavailable`. */
export function authenticateWithin(
  authenticator: AgentAuthenticator,
  credential: string,
  timeoutMs: number,
): Promise<AgentAuthResult> {
  return authenticator
    .authenticate(credential, { signal: AbortSignal.timeout(timeoutMs) })
    .catch((err: unknown) => ({ ok: false, reason: 'auth-unavailable', detail: String(err) }));
}
