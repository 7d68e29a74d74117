/**
 * One engine entry of the static cluster file (cluster-file.ts): what it serves, how it runs
 * (`sim` started by `up`, or an existing server's `url`), its GPUs, connection, labels and KV
 * events. Validation is pure and adds every problem to the caller's issue list.
 */
import type { ConfigIssue } from '../shared/index.js';
import { ENGINE_KINDS, type EngineConnection, type EngineKind } from './cluster-source.js';
import { isObj, optionalString } from './cluster-file-fields.js';
import { parseSimSpec, type SimSpec } from './cluster-file-sim.js';
import { parseEngineLabels } from './cluster-file-labels.js';
import { parseEngineKvEvents, type EngineKvEvents } from './engine-kv-events.js';

/** One engine of a node in the cluster file. */
export interface EngineEntry {
  readonly name: string;
  readonly model: string;
  readonly engine: EngineKind;
  /** Either `sim` (started by `up`) or `url` (an existing OpenAI-compatible server). */
  readonly sim: SimSpec | undefined;
  readonly url: string | undefined;
  /** GPU indices on the node; default: the k-th engine of a node uses GPU k. */
  readonly gpus: readonly number[];
  /** `tls: {caFile, insecureSkipVerify}` and `apiKey: {env | file}`; absent when neither is set. */
  readonly connection?: EngineConnection;
  /** `labels:` over `model.infernode.io/name: <model>` (what podSelectors match). */
  readonly labels: Readonly<Record<string, string>>;
  /** `maxLoraRank:` or `sim.maxLoraRank`; undefined: the default (16). */
  readonly maxLoraRank?: number;
  /** The scale group this engine is a replica of (added by withScaleGroupReplicas). */
  readonly scaleGroup?: string;
  /** `kvEvents: {endpoint, replayEndpoint?, topic?}`: where the engine publishes KV events. */
  readonly kvEvents?: EngineKvEvents;
}

/** `tls` and `apiKey` of an engine entry; the key only by reference (env or file). */
function parseConnection(
  raw: Record<string, unknown>,
  path: string,
  issues: ConfigIssue[],
): EngineConnection | undefined {
  const tls = raw.tls === undefined ? {} : isObj(raw.tls) ? raw.tls : undefined;
  if (tls === undefined) issues.push({ path: `${path}.tls`, message: 'expected a mapping' });
  const key = raw.apiKey === undefined ? {} : isObj(raw.apiKey) ? raw.apiKey : undefined;
  if (key === undefined)
    issues.push({
      path: `${path}.apiKey`,
      message: 'expected {env: VAR} or {file: path}; never put the key itself in the file',
    });
  const skip = tls?.insecureSkipVerify;
  if (skip !== undefined && typeof skip !== 'boolean')
    issues.push({ path: `${path}.tls.insecureSkipVerify`, message: 'expected true or false' });
  const connection: EngineConnection = {
    ...(tls?.caFile === undefined
      ? {}
      : { caFile: optionalString(tls.caFile, `${path}.tls.caFile`, issues) }),
    ...(skip === true ? { insecureSkipVerify: true } : {}),
    ...(key?.env === undefined
      ? {}
      : { apiKeyEnv: optionalString(key.env, `${path}.apiKey.env`, issues) }),
    ...(key?.file === undefined
      ? {}
      : { apiKeyFile: optionalString(key.file, `${path}.apiKey.file`, issues) }),
  };
  if (connection.apiKeyEnv !== undefined && connection.apiKeyFile !== undefined)
    issues.push({ path: `${path}.apiKey`, message: 'give env or file, not both' });
  return Object.keys(connection).length === 0 ? undefined : connection;
}

/**
 * Validates the engine entry at `path` (the `index`-th of its node, which picks its default GPU);
 * undefined when it has no valid name (its other problems are still reported to `issues`).
 */
export function parseEngine(
  raw: unknown,
  path: string,
  index: number,
  issues: ConfigIssue[],
): EngineEntry | undefined {
  if (!isObj(raw)) {
    issues.push({ path, message: 'expected an object' });
    return undefined;
  }
  const name =
    typeof raw.name === 'string' && /^[a-z0-9][a-z0-9.-]*$/.test(raw.name) ? raw.name : undefined;
  if (name === undefined)
    issues.push({ path: `${path}.name`, message: 'expected a DNS-style name' });
  if (typeof raw.model !== 'string' || raw.model === '')
    issues.push({ path: `${path}.model`, message: 'expected a model name' });
  const engine = raw.engine ?? 'vllm';
  if (!ENGINE_KINDS.some((k) => k === engine))
    issues.push({ path: `${path}.engine`, message: `expected one of ${ENGINE_KINDS.join(', ')}` });
  let sim: SimSpec | undefined;
  if (isObj(raw.sim)) sim = parseSimSpec(raw.sim, `${path}.sim`, issues);
  else if (raw.sim !== undefined)
    issues.push({ path: `${path}.sim`, message: 'expected a mapping' });
  const url = typeof raw.url === 'string' ? raw.url : undefined;
  if ((sim === undefined) === (url === undefined))
    issues.push({ path, message: 'give exactly one of sim or url' });
  if (url !== undefined && !/^https?:\/\/[^/]+/.test(url))
    issues.push({ path: `${path}.url`, message: 'expected an http(s) URL' });
  const gpus = raw.gpus ?? [index];
  if (!Array.isArray(gpus) || gpus.some((g) => !Number.isInteger(g) || (g as number) < 0)) {
    issues.push({ path: `${path}.gpus`, message: 'expected a list of GPU indices' });
  }
  const connection = parseConnection(raw, path, issues);
  const { labels, maxLoraRank } = parseEngineLabels(
    raw,
    String(raw.model),
    sim?.maxLoraRank,
    path,
    issues,
  );
  const kvEvents = parseEngineKvEvents(raw, path, issues);
  if (name === undefined) return undefined;
  return {
    labels,
    ...(maxLoraRank === undefined ? {} : { maxLoraRank }),
    ...(kvEvents === undefined ? {} : { kvEvents }),
    name,
    model: String(raw.model),
    engine: engine as EngineKind,
    sim,
    url,
    gpus: gpus as number[],
    ...(connection === undefined ? {} : { connection }),
  };
}
