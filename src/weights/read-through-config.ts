/**
 * Configuration of the agent's read-through S3 endpoint, as a spec fragment to nest under the
 * agent's `weights` section (e.g. `weights.readThrough`, env `INFERNODE_AGENT_WEIGHTS_READ_THROUGH_*`).
 * The engines get the same key pair as AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY and the
 * endpoint as AWS_ENDPOINT_URL. Cross-field rules (both keys or neither; no key only on
 * loopback) are checked by {@link readThroughAuthProblem} when the server is built.
 */
import { int, str, type ConfigOf } from '../shared/index.js';
import { isLoopbackHost } from '../shared/index.js';

const positive = { min: 1 };

/** The read-through endpoint's config spec fragment. */
export const readThroughConfigSpec = {
  host: str(
    '127.0.0.1',
    'read-through S3 endpoint listen address (engines set AWS_ENDPOINT_URL to it; use the node IP so clients pick path style)',
  ),
  port: int(9102, 'read-through S3 endpoint port (0: any free port)', { min: 0, max: 65535 }),
  accessKeyId: str(
    '',
    'access key the engines sign with (their AWS_ACCESS_KEY_ID); empty: anonymous reads, allowed only on a loopback host',
  ),
  secretAccessKey: str('', 'secret of accessKeyId (the engines’ AWS_SECRET_ACCESS_KEY)'),
  virtualHostDomain: str(
    '',
    'domain for virtual-host-style requests (<bucket>.<domain>); empty: path style only',
  ),
  maxConnections: int(256, 'most client connections at once; more are refused', positive),
  firstByteTimeoutMs: int(
    300_000,
    'longest wait for the first byte of a range still being fetched upstream, ms',
    positive,
  ),
  chunkIdleTimeoutMs: int(
    60_000,
    'longest gap between two chunks of one answer before it is cut, ms',
    positive,
  ),
} as const;

/** The read-through endpoint's validated config. */
export type ReadThroughConfig = ConfigOf<typeof readThroughConfigSpec>;

/**
 * Why this config cannot run, or undefined. A key without its secret (or the reverse) is a
 * typo waiting to lock the engines out; no key at all is anonymous access, which only a
 * loopback listener may offer: on any other address every pod on the network could read the
 * node's models.
 */
export function readThroughAuthProblem(config: ReadThroughConfig): string | undefined {
  const hasKey = config.accessKeyId !== '';
  const hasSecret = config.secretAccessKey !== '';
  if (hasKey !== hasSecret) return 'accessKeyId and secretAccessKey must be set together';
  if (!hasKey && !isLoopbackHost(config.host))
    return `anonymous reads are allowed only on a loopback host, not ${config.host}: set accessKeyId and secretAccessKey`;
  return undefined;
}
