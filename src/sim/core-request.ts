/**
 * One request's own state changes inside the engine core, apart from the scheduling that decides
 * when they happen (engine-core.ts): a fresh request as it is queued, and the accounting of one
 * output token with the stop check vLLM makes after each (EOS or max_tokens).
 */
import type { CoreRequest, CoreRequestSpec } from './core-types.js';

/** A request queued at `arrivalS`, holding no blocks and no output yet. */
export function createCoreRequest<T>(
  id: number,
  spec: CoreRequestSpec,
  tag: T,
  arrivalS: number,
): CoreRequest<T> {
  return {
    id,
    spec,
    tag,
    state: 'waiting',
    remoteKvHeld: false,
    numComputedTokens: 0,
    numOutputTokens: 0,
    blockIds: [],
    numHashedBlocks: 0,
    numCachedTokens: -1,
    numPreemptions: 0,
    arrivalS,
    firstScheduledS: NaN,
    firstTokenS: NaN,
    lastTokenS: NaN,
    prevTokenS: NaN,
    finishedS: NaN,
    finishReason: null,
  };
}

/**
 * Counts one output token emitted at `atS`; true when it ends the request (its finish reason is
 * then set; freeing its blocks is the core's part).
 */
export function recordOutputToken(req: CoreRequest, atS: number): boolean {
  req.numOutputTokens++;
  if (req.numOutputTokens === 1) req.firstTokenS = atS;
  req.prevTokenS = req.lastTokenS;
  req.lastTokenS = atS;
  const out = req.numOutputTokens;
  if (out < req.spec.eosAfterTokens && out < req.spec.maxTokens) return false;
  req.finishReason = out >= req.spec.eosAfterTokens ? 'stop' : 'length';
  return true;
}
