/**
 * The `lora.load` and `lora.unload` command handlers (wire contract: src/lora/lora-commands.ts):
 * pure parsers of their args and the calls into the adapter manager (lora-manager.ts). Registered
 * in src/agent/main.ts next to the weight and drain kinds.
 */
import type { JsonObject } from '../protocol/index.js';
import { LORA_LOAD, LORA_UNLOAD, type LoraLoadArgs, type LoraUnloadArgs } from '../lora/index.js';
import type { CommandHandler, ParsedArgs } from './command-handler.js';
import type { LoraManager } from './lora-manager.js';

/** Most entries of `credentials` or `additionalConfig`. */
const MAX_MAP_ENTRIES = 64;
/** Longest value in those maps (a service-account JSON key fits). */
const MAX_MAP_VALUE_CHARS = 16 * 1024;

function text(v: unknown, max: number): v is string {
  return typeof v === 'string' && v.length > 0 && v.length <= max;
}

/** A map of strings, undefined when absent, or null when malformed. */
function stringMap(v: unknown): Record<string, string> | undefined | null {
  if (v === undefined) return undefined;
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return null;
  const entries = Object.entries(v as Record<string, unknown>);
  if (entries.length > MAX_MAP_ENTRIES) return null;
  for (const [, value] of entries)
    if (typeof value !== 'string' || value.length > MAX_MAP_VALUE_CHARS) return null;
  return v as Record<string, string>;
}

/** Validates `lora.load` args (the adapter name's own rules are the manager's). */
export function parseLoraLoadArgs(args: JsonObject): ParsedArgs<LoraLoadArgs> {
  const { adapter, engineId, baseModel, artifactUrl } = args;
  if (!text(adapter, 253)) return { ok: false, message: 'adapter must be a name' };
  if (!text(engineId, 253)) return { ok: false, message: 'engineId must be an engine id' };
  if (baseModel !== undefined && !text(baseModel, 1024))
    return { ok: false, message: 'baseModel must be a model id' };
  if (!text(artifactUrl, 2048))
    return { ok: false, message: 'artifactUrl must be an artifact URI of at most 2048 characters' };
  const credentials = stringMap(args.credentials);
  if (credentials === null)
    return {
      ok: false,
      message: `credentials must map at most ${MAX_MAP_ENTRIES} keys to strings`,
    };
  const additionalConfig = stringMap(args.additionalConfig);
  if (additionalConfig === null)
    return {
      ok: false,
      message: `additionalConfig must map at most ${MAX_MAP_ENTRIES} keys to strings`,
    };
  return {
    ok: true,
    args: {
      adapter,
      engineId,
      artifactUrl,
      ...(baseModel === undefined ? {} : { baseModel }),
      ...(credentials === undefined ? {} : { credentials }),
      ...(additionalConfig === undefined ? {} : { additionalConfig }),
    },
  };
}

/** Validates `lora.unload` args. */
export function parseLoraUnloadArgs(args: JsonObject): ParsedArgs<LoraUnloadArgs> {
  const { adapter, engineId, artifactUrl } = args;
  if (!text(adapter, 253)) return { ok: false, message: 'adapter must be a name' };
  if (!text(engineId, 253)) return { ok: false, message: 'engineId must be an engine id' };
  if (artifactUrl !== undefined && !text(artifactUrl, 2048))
    return { ok: false, message: 'artifactUrl must be an artifact URI of at most 2048 characters' };
  return {
    ok: true,
    args: {
      adapter,
      engineId,
      ...(artifactUrl === undefined ? {} : { artifactUrl }),
    },
  };
}

/** Options of {@link loraCommandHandlers}. */
export interface LoraCommandOptions {
  readonly manager: LoraManager;
  /** Commands of each kind at once (`lora.concurrency`). */
  readonly concurrency: number;
  /**
   * Default timeout of a load, ms: the fetch and the engine's call together. Default 10 min
   * (a first fetch of a large adapter over a slow link).
   */
  readonly loadTimeoutMs?: number;
}

/** The `lora.load` and `lora.unload` handlers. */
export function loraCommandHandlers(options: LoraCommandOptions): CommandHandler[] {
  const { manager } = options;
  const load: CommandHandler<LoraLoadArgs> = {
    kind: LORA_LOAD,
    timeoutMs: options.loadTimeoutMs ?? 10 * 60 * 1000,
    concurrency: options.concurrency,
    parseArgs: parseLoraLoadArgs,
    async run(args, { signal, progress, log }) {
      const result = await manager.load(args, { signal, progress });
      log.info(
        { adapter: result.adapter, engine: result.engineId, already: result.alreadyLoaded },
        'lora adapter loaded',
      );
      return { ...result };
    },
  };
  const unload: CommandHandler<LoraUnloadArgs> = {
    kind: LORA_UNLOAD,
    timeoutMs: 2 * 60 * 1000,
    concurrency: options.concurrency,
    parseArgs: parseLoraUnloadArgs,
    async run(args, { signal, progress, log }) {
      const result = await manager.unload(args, { signal, progress });
      log.info(
        { adapter: result.adapter, engine: result.engineId, freedBytes: result.freedBytes },
        'lora adapter unloaded',
      );
      return { ...result };
    },
  };
  return [load, unload];
}
