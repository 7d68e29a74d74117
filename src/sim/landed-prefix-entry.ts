/**
 * When a prefix loaded from a KV store enters the GPU cache: just before the step that can admit
 * its request, not when its transfer lands. The GPU cache of a long-context engine holds a few
 * prompts; a load entered on landing sits there as cached, free blocks while its request waits
 * behind others, and their allocations evict it before its admission, which then recomputes.
 * vLLM avoids this by loading into blocks it allocated to the request when it scheduled it
 * (WAITING_FOR_REMOTE_KVS); the simulator's connector loads earlier (on arrival, hiding the lookup
 * behind the queue) and keeps what landed in its host buffer until the request's turn.
 *
 * Measured on the Mooncake trace (`bench kv-bound --modes precise-l1-nodes`, rate 1): entering on
 * landing gave 0.99 × prefix-cache's mean TTFT with 8.9 % of prompt tokens loaded; entering just
 * in time, 0.60 × with 19.3 %. Shared by the simulator's connector (kv-connector.ts) and the
 * virtual replay of `bench kv-bound` (kv-bound-replay.ts), so both enter loads the same way.
 */
import type { CoreRequest } from './core-types.js';
import type { EngineCore } from './engine-core.js';

/**
 * Held requests whose load landed released into one step's admission: one. Entering several
 * queued prompts' prefixes at once into a GPU cache that holds about nine prompts of the trace
 * makes them evict one another and the cached prefixes of preempted requests (which queue
 * first), and lets admission take several long prompts in one step on cached hits, which
 * preemption then undoes. In `bench kv-bound` at rate 1, entering the first 4 waiting requests'
 * prefixes before each step gave a mean TTFT of 296 s with 8,703 preemptions; the first one
 * only, 2.2 s with 317. A landed request may so wait a step or two more (tens of ms).
 */
export const LANDED_RELEASES_PER_STEP = 1;
/** Waiting requests looked at per step for one to release (bounds the work per step). */
export const LANDED_SCAN = 64;

/** What the scan asks of whoever loaded the prefixes. */
export interface LandedPrefixes<T> {
  /** Whether the held request's load has landed (its blocks can be entered). */
  landed(req: CoreRequest<T>): boolean;
  /** Enters the request's landed blocks into the GPU cache (again, after an eviction). */
  enter(req: CoreRequest<T>): void;
  /** Whether blocks entered for the request were evicted since (its admission would miss them). */
  missing(req: CoreRequest<T>): boolean;
}

/**
 * Runs before each step: releases the first held request (in admission order) whose load landed,
 * entering its blocks, and enters the blocks of the head of the admission order again if they
 * were evicted while it waited.
 */
export function enterLandedPrefixes<T>(core: EngineCore<T>, prefixes: LandedPrefixes<T>): void {
  let released = 0;
  let headChecked = false;
  let scanned = 0;
  for (const req of core.waiting) {
    if (scanned++ >= LANDED_SCAN || (released >= LANDED_RELEASES_PER_STEP && headChecked)) break;
    if (req.remoteKvHeld) {
      if (released >= LANDED_RELEASES_PER_STEP || !prefixes.landed(req)) continue;
      prefixes.enter(req);
      core.releaseRemoteKv(req);
      released++;
      continue;
    }
    if (headChecked) continue;
    headChecked = true;
    // Admitted before (a preempted request): its blocks were its own, not a landed load's.
    if (req.numCachedTokens < 0 && prefixes.missing(req)) prefixes.enter(req);
  }
}
