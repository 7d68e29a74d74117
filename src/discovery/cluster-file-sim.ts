/**
 * The `sim:` section of an engine in the cluster file: the `infernode sim` flags `up` passes,
 * checked here so a typo fails at load with its path, not as a child that will not start.
 */
import type { ConfigIssue } from '../shared/index.js';
import {
  optionalBool,
  optionalNumber,
  optionalString,
  port,
  type Obj,
} from './cluster-file-fields.js';

/**
 * vLLM `--load-format` values the simulator implements (the same list as the sim room's
 * LOAD_FORMATS, which sits above this room; a unit test keeps them equal).
 */
export const SIM_LOAD_FORMATS = ['auto', 'safetensors', 'runai_streamer', 'dummy'] as const;

/** A simulated engine that `infernode up` starts: the `infernode sim` flags it gets. */
export interface SimSpec {
  readonly port: number;
  readonly profile?: string;
  readonly speed?: number;
  readonly maxNumSeqs?: number;
  readonly numGpuBlocks?: number;
  readonly maxLoras?: number;
  readonly enableLora?: boolean;
  /** `--max-lora-rank`; also the engine's maxLoraRank for placement. Default 16. */
  readonly maxLoraRank?: number;
  /**
   * The model the engine loads before it serves (`--model-path`): a directory (relative to the
   * cluster file) or `s3://bucket/prefix`. Absent: dummy weights.
   */
  readonly modelPath?: string;
  /** `--load-format`; default auto (safetensors from a directory, the Run:ai streamer for s3://). */
  readonly loadFormat?: (typeof SIM_LOAD_FORMATS)[number];
  /** `--slow-start-ms`: not ready for this long after start (an engine's init, a cold start). */
  readonly slowStartMs?: number;
}

const KNOWN = new Set([
  'port',
  'profile',
  'speed',
  'maxNumSeqs',
  'numGpuBlocks',
  'maxLoras',
  'enableLora',
  'maxLoraRank',
  'modelPath',
  'loadFormat',
  'slowStartMs',
]);
const INT = { min: 1, max: 1_000_000_000, integer: true } as const;

/** Parses one `sim:` mapping; records every issue under `path`. */
export function parseSimSpec(raw: Obj, path: string, issues: ConfigIssue[]): SimSpec {
  for (const key of Object.keys(raw))
    if (!KNOWN.has(key))
      issues.push({
        path: `${path}.${key}`,
        message: `unknown setting; known: ${[...KNOWN].join(', ')}`,
      });
  const spec: Record<string, unknown> = { port: port(raw.port, `${path}.port`, issues) };
  const set = (key: string, v: unknown): void => {
    if (v !== undefined) spec[key] = v;
  };
  set('profile', optionalString(raw.profile, `${path}.profile`, issues));
  set('speed', optionalNumber(raw.speed, `${path}.speed`, issues, { min: 1e-3, max: 1e9 }));
  set('maxNumSeqs', optionalNumber(raw.maxNumSeqs, `${path}.maxNumSeqs`, issues, INT));
  set('numGpuBlocks', optionalNumber(raw.numGpuBlocks, `${path}.numGpuBlocks`, issues, INT));
  set('maxLoras', optionalNumber(raw.maxLoras, `${path}.maxLoras`, issues, INT));
  set('enableLora', optionalBool(raw.enableLora, `${path}.enableLora`, issues));
  set('maxLoraRank', optionalNumber(raw.maxLoraRank, `${path}.maxLoraRank`, issues, INT));
  set(
    'slowStartMs',
    optionalNumber(raw.slowStartMs, `${path}.slowStartMs`, issues, {
      min: 0,
      max: 3_600_000,
      integer: true,
    }),
  );
  const modelPath = optionalString(raw.modelPath, `${path}.modelPath`, issues);
  const loadFormat = raw.loadFormat;
  if (loadFormat !== undefined && !SIM_LOAD_FORMATS.some((f) => f === loadFormat))
    issues.push({
      path: `${path}.loadFormat`,
      message: `expected one of ${SIM_LOAD_FORMATS.join(', ')}, got ${JSON.stringify(loadFormat)}`,
    });
  else set('loadFormat', loadFormat);
  if (modelPath !== undefined) {
    const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(modelPath)?.[1];
    if (scheme !== undefined && scheme.toLowerCase() !== 's3')
      issues.push({
        path: `${path}.modelPath`,
        message: `expected a directory or s3://bucket/prefix, got ${scheme}://`,
      });
    else if (
      scheme !== undefined &&
      !/^s3:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](\/|$)/.test(modelPath)
    )
      issues.push({ path: `${path}.modelPath`, message: 'expected s3://bucket/prefix' });
    else if (scheme !== undefined && loadFormat === 'safetensors')
      issues.push({
        path: `${path}.loadFormat`,
        message: 'safetensors reads a directory; an s3:// modelPath needs runai_streamer or auto',
      });
    set('modelPath', modelPath);
  } else if (loadFormat === 'safetensors' || loadFormat === 'runai_streamer')
    issues.push({
      path: `${path}.modelPath`,
      message: `loadFormat ${loadFormat} needs a modelPath`,
    });
  return spec as unknown as SimSpec;
}
