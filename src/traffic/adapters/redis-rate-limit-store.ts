/**
 * Rate-limit state shared by several gateway replicas: the GCRA steps of gcra.ts as Lua scripts,
 * so a multi-key reservation is atomic in Redis (all or nothing, no lost update between
 * replicas). Each key holds its TAT in ms (3 decimals) and expires when the TAT has passed, so
 * idle users cost no memory. Time is the caller's clock: replicas must be NTP-synced (a skew of
 * s ms shifts a budget by s ms of refill). The client is built by the composition root.
 */
import type { Redis } from 'ioredis';
import type { GcraCharge, ReserveOutcome } from '../gcra.js';
import type { RateLimitStore } from '../rate-limit-store.js';

const RESERVE_LUA = `
local now = tonumber(ARGV[1])
local n = #KEYS
local tats = {}
local failed = -1
local retry = 0
for i = 1, n do
  local interval = tonumber(ARGV[(i - 1) * 3 + 2])
  local burst = tonumber(ARGV[(i - 1) * 3 + 3])
  local amount = tonumber(ARGV[(i - 1) * 3 + 4])
  local raw = redis.call('GET', KEYS[i])
  local tat = now
  if raw then tat = math.max(tonumber(raw), now) end
  local nextTat = tat + amount * interval
  tats[i] = nextTat
  if nextTat - now > burst then
    if failed < 0 then failed = i - 1 end
    if amount * interval > burst then
      retry = -1
    elseif retry >= 0 and nextTat - burst - now > retry then
      retry = nextTat - burst - now
    end
  end
end
if failed >= 0 then return {0, failed, string.format('%.3f', retry)} end
for i = 1, n do
  redis.call('SET', KEYS[i], string.format('%.3f', tats[i]), 'PX', math.ceil(tats[i] - now) + 1000)
end
return {1}
`;

const ADJUST_LUA = `
local now = tonumber(ARGV[1])
local interval = tonumber(ARGV[2])
local delta = tonumber(ARGV[3])
local raw = redis.call('GET', KEYS[1])
local tat = nil
if raw then tat = tonumber(raw) end
local nextTat
if delta < 0 then
  if (not tat) or tat <= now then return 0 end
  nextTat = math.max(now, tat + delta * interval)
else
  nextTat = math.max(tat or now, now) + delta * interval
end
if nextTat <= now then
  redis.call('DEL', KEYS[1])
  return 0
end
redis.call('SET', KEYS[1], string.format('%.3f', nextTat), 'PX', math.ceil(nextTat - now) + 1000)
return 1
`;

interface ScriptedRedis {
  infernodeRlReserve(...args: (string | number)[]): Promise<[number, number?, string?]>;
  infernodeRlAdjust(...args: (string | number)[]): Promise<number>;
}

/** Options of the Redis store. */
export interface RedisRateLimitStoreOptions {
  /** A connected (or connecting) ioredis client, owned by the caller. */
  readonly redis: Redis;
  /** Prepended to every key; default `infernode:{rl}:` (the hash tag keeps one cluster slot). */
  readonly keyPrefix?: string;
  /** Limit on one script call, ms; default 250. */
  readonly commandTimeoutMs?: number;
}

/** Rejects with the signal's reason when it aborts first; removes its listener either way. */
async function raced<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) throw signal.reason;
  let onAbort: (() => void) | undefined;
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(signal.reason as Error);
    signal.addEventListener('abort', onAbort, { once: true });
  });
  try {
    return await Promise.race([work, aborted]);
  } finally {
    if (onAbort !== undefined) signal.removeEventListener('abort', onAbort);
  }
}

/** GCRA rate-limit state in Redis (Lua, atomic per call). */
export class RedisRateLimitStore implements RateLimitStore {
  readonly #redis: Redis & ScriptedRedis;
  readonly #prefix: string;
  readonly #timeoutMs: number;

  constructor(options: RedisRateLimitStoreOptions) {
    const redis = options.redis;
    redis.defineCommand('infernodeRlReserve', { lua: RESERVE_LUA });
    redis.defineCommand('infernodeRlAdjust', { numberOfKeys: 1, lua: ADJUST_LUA });
    this.#redis = redis as Redis & ScriptedRedis;
    this.#prefix = options.keyPrefix ?? 'infernode:{rl}:';
    this.#timeoutMs = options.commandTimeoutMs ?? 250;
  }

  async reserve(
    charges: readonly GcraCharge[],
    nowMs: number,
    opts: { readonly signal: AbortSignal },
  ): Promise<ReserveOutcome> {
    const signal = AbortSignal.any([opts.signal, AbortSignal.timeout(this.#timeoutMs)]);
    const args: (string | number)[] = [charges.length];
    for (const c of charges) args.push(this.#prefix + c.key);
    args.push(nowMs);
    for (const c of charges) args.push(c.emissionIntervalMs, c.burstMs, c.amount);
    const reply = await raced(this.#redis.infernodeRlReserve(...args), signal);
    if (reply[0] === 1) return { ok: true };
    const retry = Number(reply[2]);
    return { ok: false, index: reply[1] ?? 0, retryAfterMs: retry < 0 ? Infinity : retry };
  }

  async adjust(
    key: string,
    emissionIntervalMs: number,
    delta: number,
    nowMs: number,
  ): Promise<void> {
    const signal = AbortSignal.timeout(this.#timeoutMs);
    await raced(
      this.#redis.infernodeRlAdjust(this.#prefix + key, nowMs, emissionIntervalMs, delta),
      signal,
    );
  }
}
