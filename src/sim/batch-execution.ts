/**
 * One scheduled batch run forward: its analytic step time (profiles.ts), each request's new
 * tokens computed, its full prompt blocks cached, an output token recorded for every request past
 * its prompt, and finished requests' blocks freed. Apart from the scheduler (engine-core.ts)
 * because it is what a step does once the batch is chosen, not which requests go in it; pure
 * apart from the requests and KV blocks it is handed.
 */
import { recordOutputToken } from './core-request.js';
import type { CoreRequest, StepResult } from './core-types.js';
import type { KvCacheManager } from './kv-cache-manager.js';
import { stepTimeS, type HardwareProfile } from './profiles.js';

/** What running the batch produced (the rest of a StepResult is the scheduler's). */
export type ExecutedBatch<T> = Pick<
  StepResult<T>,
  'endS' | 'prefillTokens' | 'scheduledTokens' | 'emitted' | 'finished'
>;

/** A batch as the scheduler chose it: requests, the tokens each computes now, adapters in use. */
export interface ScheduledBatch<T> {
  readonly startS: number;
  readonly requests: readonly CoreRequest<T>[];
  /** Tokens each request computes this step, by position in `requests`. */
  readonly newTokens: readonly number[];
  readonly activeAdapters: number;
}

/** Runs `batch` for one step; finished requests end with state 'finished' and no blocks. */
export function executeBatch<T>(
  batch: ScheduledBatch<T>,
  profile: HardwareProfile,
  kv: KvCacheManager,
): ExecutedBatch<T> {
  const { requests, newTokens } = batch;
  let prefillTokens = 0;
  let scheduledTokens = 0;
  let decodeContextTokens = 0;
  for (let i = 0; i < requests.length; i++) {
    const req = requests[i] as CoreRequest<T>;
    const n = newTokens[i] as number;
    const total = req.spec.promptLength + req.numOutputTokens;
    scheduledTokens += n;
    if (n === 1 && req.numComputedTokens === total - 1) decodeContextTokens += total;
    else prefillTokens += n;
  }
  const endS =
    batch.startS +
    stepTimeS(profile, {
      batchSize: requests.length,
      prefillTokens,
      decodeContextTokens,
      activeAdapters: batch.activeAdapters,
    });
  const emitted: CoreRequest<T>[] = [];
  const finished: CoreRequest<T>[] = [];
  for (let i = 0; i < requests.length; i++) {
    const req = requests[i] as CoreRequest<T>;
    req.numComputedTokens += newTokens[i] as number;
    kv.cacheFullPromptBlocks(req);
    if (req.numComputedTokens < req.spec.promptLength + req.numOutputTokens) continue;
    const done = recordOutputToken(req, endS);
    emitted.push(req);
    if (done) finished.push(req);
  }
  for (const req of finished) {
    kv.free(req);
    req.state = 'finished';
    req.finishedS = endS;
  }
  return { endS, prefillTokens, scheduledTokens, emitted, finished };
}
