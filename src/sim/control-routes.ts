/** The simulator's non-inference endpoints: models, LoRA, health, version, metrics, faults. */
import type { ServerResponse } from 'node:http';
import { sendJson, sendText } from '../shared/index.js';
import { parseFaults } from './faults.js';
import { fileAdapterProbe } from './lora-files.js';
import { loraLoadS } from './lora-cost.js';

/** Waits `ms` of wall time (a load's simulated duration at the server's speed). */
function wallDelay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)).unref());
}
import { modelCard, vllmError } from './openai-shapes.js';
import { sendError, type SimContext } from './sim-context.js';

/** The vLLM version the simulator reports on `GET /version`. */
export const SIM_VLLM_VERSION = '0.11.0';

const asObject = (body: unknown): Record<string, unknown> =>
  typeof body === 'object' && body !== null && !Array.isArray(body)
    ? (body as Record<string, unknown>)
    : {};

/** GET /v1/models: the base model, then each adapter with `parent` = base and `root` = path. */
export function handleModels(ctx: SimContext, res: ServerResponse): void {
  const base = ctx.options.model;
  const data = [
    modelCard(base, base, null, ctx.options.maxModelLen, ctx.createdS),
    ...ctx.lora.list().map((a) => modelCard(a.name, a.path, base, null, ctx.createdS)),
  ];
  sendJson(res, 200, { object: 'list', data });
}

/** POST /v1/load_lora_adapter: 200 with vLLM's plain-text success line, or its error. */
export async function handleLoadLora(
  ctx: SimContext,
  body: unknown,
  res: ServerResponse,
): Promise<void> {
  // The engine reads the adapter before answering (lora-cost.ts), in simulated time.
  const result = await ctx.lora.load(asObject(body), fileAdapterProbe, (bytes) =>
    wallDelay((loraLoadS(bytes) * 1000) / ctx.options.speed),
  );
  if ('status' in result) {
    sendError(res, result);
    return;
  }
  ctx.log.info({ adapter: result.name, rank: result.rank }, 'LoRA adapter loaded');
  sendText(res, 200, `Success: LoRA adapter '${result.name}' added successfully.`);
}

/** POST /v1/unload_lora_adapter. */
export function handleUnloadLora(ctx: SimContext, body: unknown, res: ServerResponse): void {
  const result = ctx.lora.unload(asObject(body));
  if ('status' in result) {
    sendError(res, result);
    return;
  }
  ctx.log.info({ adapter: result.name }, 'LoRA adapter unloaded');
  sendText(res, 200, `Success: LoRA adapter '${result.name}' removed successfully.`);
}

/** GET /health: 200 with an empty body when ready; 503 during slow start or shutdown. */
export function handleHealth(ctx: SimContext, res: ServerResponse): void {
  const ready = !ctx.isDraining && ctx.faults.notReadyForMs() === 0;
  res.writeHead(ready ? 200 : 503, { 'content-length': 0 });
  res.end();
}

/** GET /version. */
export function handleVersion(res: ServerResponse): void {
  sendJson(res, 200, { version: SIM_VLLM_VERSION });
}

/** GET /metrics: Prometheus text from the simulator's own registry. */
export async function handleMetrics(ctx: SimContext, res: ServerResponse): Promise<void> {
  sendText(res, 200, await ctx.registry.metrics(), ctx.registry.contentType);
}

/** GET /admin/faults (current faults) and POST /admin/faults (merge a partial, validated). */
export function handleFaults(
  ctx: SimContext,
  method: string,
  body: unknown,
  res: ServerResponse,
): void {
  if (method === 'POST') {
    const parsed = parseFaults(body);
    if ('error' in parsed) {
      sendError(res, vllmError(400, 'BadRequestError', parsed.error));
      return;
    }
    ctx.faults.set(parsed.faults);
    ctx.log.info({ faults: ctx.faults.get() }, 'faults changed');
  }
  sendJson(res, 200, ctx.faults.get());
}

/**
 * GET /admin/weights: what the startup load read (format, files, bytes, seconds, GiB/s). The
 * simulator's own surface, beside /admin/faults: vLLM has no metric for this.
 */
export function handleWeights(ctx: SimContext, res: ServerResponse): void {
  sendJson(res, 200, ctx.weights);
}

/**
 * POST /reset_prefix_cache: vLLM drops every cached block (publishing AllBlocksCleared) and
 * answers 200 with no body, also when the engine refused because blocks are in use (it logs).
 */
export function handleResetPrefixCache(ctx: SimContext, res: ServerResponse): void {
  if (!ctx.resetPrefixCache()) ctx.log.warn('prefix cache not reset: blocks are in use');
  res.writeHead(200, { 'content-length': '0' });
  res.end();
}
