/**
 * `sharegpt-synth`: a ShareGPT-like multi-turn conversation set generated from a seed, so a
 * benchmark needs no dataset download and is the same on every machine. Shape (reference/perf.md
 * §2.6, AIBrix's ShareGPT statistics): 3.55 turns per conversation on average (geometric), user
 * messages log-normal around 40 tokens (mean ≈ 80), replies log-normal around 180 tokens
 * (mean ≈ 250), both within [4, 1024] as vLLM's ShareGPT filter keeps them. Turn k sends the
 * whole conversation so far — earlier turns plus the replies the set assumes — so every turn's
 * prompt starts with the previous turn's prompt (a shared prefix a prefix cache can reuse).
 * Conversations are interleaved round-robin, so later turns arrive while others are in flight.
 */
import { SeededRng, type Rng } from '../shared/index.js';
import { mixSeed, wordText } from './serve-text.js';
import type { ChatMessage, WorkloadRequest } from './serve-workload.js';

/** Mean turns per conversation. */
export const SHAREGPT_MEAN_TURNS = 3.55;
/** Most turns in one conversation. */
export const SHAREGPT_MAX_TURNS = 16;
const USER_MEDIAN = 40;
const USER_SIGMA = 1.2;
const REPLY_MEDIAN = 180;
const REPLY_SIGMA = 0.8;
const MIN_LEN = 4;
const MAX_LEN = 1024;

/** Settings of the synthetic set. */
export interface SharegptSynthOptions {
  readonly count: number;
  readonly seed: number;
  /** A conversation ends before a turn whose prompt + reply would pass this many tokens. */
  readonly maxContext: number;
}

function logNormal(rng: Rng, median: number, sigma: number): number {
  const u = 1 - rng.next();
  const z = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng.next());
  return Math.round(Math.min(MAX_LEN, Math.max(MIN_LEN, median * Math.exp(sigma * z))));
}

/** Turns of one conversation: 1 + geometric with mean {@link SHAREGPT_MEAN_TURNS}, capped. */
function turnCount(rng: Rng): number {
  const p = 1 / SHAREGPT_MEAN_TURNS;
  const extra = Math.floor(Math.log(1 - rng.next()) / Math.log(1 - p));
  return Math.min(SHAREGPT_MAX_TURNS, 1 + extra);
}

interface Turn {
  readonly user: number;
  readonly reply: number;
}

/** One conversation's turns, cut where the context would pass `maxContext`. */
function conversation(rng: Rng, maxContext: number): Turn[] {
  const turns: Turn[] = [];
  let context = 0;
  const n = turnCount(rng);
  for (let k = 0; k < n; k++) {
    const t = {
      user: logNormal(rng, USER_MEDIAN, USER_SIGMA),
      reply: logNormal(rng, REPLY_MEDIAN, REPLY_SIGMA),
    };
    if (context + t.user + t.reply > maxContext) break;
    turns.push(t);
    context += t.user + t.reply;
  }
  return turns;
}

function request(seed: number, conv: number, turns: readonly Turn[], k: number): WorkloadRequest {
  let input = 0;
  for (let j = 0; j <= k; j++)
    input += (turns[j] as Turn).user + (j < k ? (turns[j] as Turn).reply : 0);
  return {
    inputTokens: input,
    outputTokens: (turns[k] as Turn).reply,
    messages: () => {
      const out: ChatMessage[] = [];
      for (let j = 0; j <= k; j++) {
        const t = turns[j] as Turn;
        out.push({ role: 'user', content: wordText(mixSeed(seed, conv, j, 1), t.user) });
        if (j < k)
          out.push({ role: 'assistant', content: wordText(mixSeed(seed, conv, j, 2), t.reply) });
      }
      return out;
    },
  };
}

/** `count` requests of the synthetic conversation set; deterministic under `seed`. */
export function sharegptSynthWorkload(o: SharegptSynthOptions): WorkloadRequest[] {
  const rng = new SeededRng(o.seed);
  // At least two longest messages fit, so no conversation comes out empty.
  const maxContext = Math.max(2 * MAX_LEN, o.maxContext);
  const conversations: Turn[][] = [];
  let total = 0;
  while (total < o.count) {
    const turns = conversation(rng, maxContext);
    if (turns.length === 0) continue;
    conversations.push(turns);
    total += turns.length;
  }
  const out: WorkloadRequest[] = [];
  for (let k = 0; out.length < o.count; k++) {
    conversations.forEach((turns, c) => {
      if (k < turns.length && out.length < o.count) out.push(request(o.seed, c, turns, k));
    });
  }
  return out;
}
