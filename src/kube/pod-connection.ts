/**
 * How to reach an engine pod that serves TLS or wants an API key, from its annotations. Pure.
 *
 * A pod's annotations are written by whoever may create pods in a watched namespace, so they
 * only *name* what the operator configured on the leader and agents; they never carry a file
 * path or an environment variable of their own choosing (else a pod could have the gateway read
 * any file and send it to the pod as a bearer token):
 * - `engine.infernode.io/scheme: https` — speak TLS to the pod;
 * - `engine.infernode.io/ca: <name>` — verify it with the CA file `<ENGINE_CA_DIR>/<name>.pem`
 *   (mount a ConfigMap there); `engine.infernode.io/insecure-skip-verify: "true"` skips it;
 * - `engine.infernode.io/api-key: <name>` — send the key held in the environment variable
 *   `INFERNODE_ENGINE_API_KEY_<NAME>` (uppercase, `-` → `_`; set it from a Secret).
 * Names are `[a-z0-9-]{1,63}`; anything else is ignored (plain defaults apply).
 */
import type { V1Pod } from '@kubernetes/client-node';
import type { EngineConnection } from '../discovery/index.js';

/** Where the CA files that `engine.infernode.io/ca` names are mounted. */
export const ENGINE_CA_DIR = '/etc/infernode/engine-ca';

/** The annotations read, by purpose. */
export const CONNECTION_ANNOTATIONS = {
  scheme: 'engine.infernode.io/scheme',
  ca: 'engine.infernode.io/ca',
  insecureSkipVerify: 'engine.infernode.io/insecure-skip-verify',
  apiKey: 'engine.infernode.io/api-key',
} as const;

const NAME = /^[a-z0-9-]{1,63}$/;

/** The environment variable an `engine.infernode.io/api-key` name refers to. */
export function engineApiKeyEnv(name: string): string {
  return `INFERNODE_ENGINE_API_KEY_${name.toUpperCase().replaceAll('-', '_')}`;
}

/** The pod's URL scheme and connection settings from its annotations. */
export function podConnection(pod: V1Pod): {
  readonly scheme: 'http' | 'https';
  readonly connection: EngineConnection | undefined;
} {
  const annotations = pod.metadata?.annotations ?? {};
  const scheme = annotations[CONNECTION_ANNOTATIONS.scheme] === 'https' ? 'https' : 'http';
  const ca = annotations[CONNECTION_ANNOTATIONS.ca];
  const key = annotations[CONNECTION_ANNOTATIONS.apiKey];
  const connection: EngineConnection = {
    ...(ca !== undefined && NAME.test(ca) ? { caFile: `${ENGINE_CA_DIR}/${ca}.pem` } : {}),
    ...(annotations[CONNECTION_ANNOTATIONS.insecureSkipVerify] === 'true'
      ? { insecureSkipVerify: true }
      : {}),
    ...(key !== undefined && NAME.test(key) ? { apiKeyEnv: engineApiKeyEnv(key) } : {}),
  };
  return { scheme, connection: Object.keys(connection).length > 0 ? connection : undefined };
}
