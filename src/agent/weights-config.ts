/**
 * The agent's `weights` section: the node cache's disk budget, the streamer's tuning (Run:ai's
 * object-store defaults: 8 MiB parts, 16 in flight), what sources may be reached, and the token
 * that guards the agent API's mutating weights routes. Credentials default from the variables
 * the AWS and Hugging Face tools already read.
 */
import { bool, int, list, num, str } from '../shared/index.js';
import { readThroughConfigSpec } from '../weights/index.js';

const positive = { min: 1 };

/** The `weights` keys of the agent's config (README: agent config table). */
export const weightsConfigSpec = {
  diskBudgetGib: num(
    100,
    'disk budget of the node weight cache, GiB (whole models evicted LRU past it)',
    {
      min: 0.001,
    },
  ),
  partBytes: int(8 * 1024 * 1024, 'part size of a ranged parallel pull, bytes', {
    min: 64 * 1024,
  }),
  concurrency: int(16, 'parts in flight per pull', { min: 1, max: 256 }),
  partIdleTimeoutMs: int(
    30_000,
    'a part that receives no byte for this long is retried, ms',
    positive,
  ),
  listTimeoutMs: int(30_000, 'bound of listing an artifact’s files at its source, ms', positive),
  retry: {
    attempts: int(5, 'attempts per part, the first included', { min: 1, max: 50 }),
    initialMs: int(
      200,
      'first backoff between attempts of a part, ms (jittered, doubling)',
      positive,
    ),
    maxMs: int(10_000, 'longest backoff between attempts of a part, ms', positive),
  },
  allowHosts: list(
    [],
    'hosts http(s) and s3 endpoints may be fetched from (empty: any public host); e.g. huggingface.co,*.s3.amazonaws.com',
  ),
  allowPrivateAddresses: bool(
    false,
    'allow sources on loopback and private addresses (the local cluster); link-local and metadata addresses stay refused',
  ),
  fileRoots: list([], 'directories file:// artifacts may be read from (empty: file:// refused)'),
  s3: {
    endpoint: str('', 'S3-compatible endpoint URL (empty: AWS for the region)', {
      env: 'AWS_ENDPOINT_URL',
    }),
    region: str('us-east-1', 'S3 region', { env: 'AWS_REGION' }),
    forcePathStyle: bool(false, 'path-style S3 URLs (most S3-compatible stores need it)', {
      env: 'AWS_S3_FORCE_PATH_STYLE',
    }),
  },
  hfEndpoint: str('https://huggingface.co', 'Hugging Face hub endpoint for hf:// artifacts', {
    env: 'HF_ENDPOINT',
  }),
  hfToken: str('', 'Hugging Face token for hf:// artifacts (private or gated models)', {
    env: 'HF_TOKEN',
  }),
  readThrough: {
    enabled: bool(
      false,
      'serve the read-through S3 endpoint (off by default: the local cluster runs several agents on one host)',
    ),
    ...readThroughConfigSpec,
  },
  apiToken: str(
    '',
    'bearer token the agent API asks of pulls and evictions (POST); without it POST is allowed only on a loopback api.host',
    { env: 'INFERNODE_AGENT_API_TOKEN' },
  ),
};

/** GiB in bytes. */
export const GIB = 1024 ** 3;
