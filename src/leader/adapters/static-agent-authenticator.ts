/**
 * Static-mode agent authentication: a per-node token `<node>.<mac>` whose MAC the cluster secret
 * made (see protocol/agent-credential.ts). The leader keeps only the secret; nothing to look up.
 */
import { nodeOfAgentToken } from '../../protocol/index.js';
import type { AgentAuthResult, AgentAuthenticator } from '../agent-authenticator.js';

/** Checks a static-mode agent token against the cluster secret and names the node it speaks for. */
export class StaticAgentAuthenticator implements AgentAuthenticator {
  readonly #secret: string;

  constructor(secret: string) {
    this.#secret = secret;
  }

  authenticate(credential: string): Promise<AgentAuthResult> {
    const node = nodeOfAgentToken(this.#secret, credential);
    return Promise.resolve(
      node === undefined
        ? { ok: false, reason: 'unauthorized', detail: 'not a token the cluster secret made' }
        : { ok: true, node },
    );
  }
}
