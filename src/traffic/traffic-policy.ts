/**
 * TrafficPolicy control for the gateway: API keys (401), per-user requests and tokens per minute and
 * per-model requests per second (429 + Retry-After). Tokens are *reserved* at admission — the
 * prompt plus `max_tokens`, or when it is absent `defaultMaxTokensReservation` (1024, capped
 * at what the user's per-minute budget leaves after the prompt) — and *settled* with the real
 * usage afterwards, refunding or charging the difference. So a request that states
 * `max_tokens` can never take a user past the budget (AIBrix counts tokens only after the
 * response, so one large request overshoots); one without it overshoots by at most what it
 * produced beyond the default reservation, and later requests wait that debt out.
 *
 * `settle(undefined)` — the request failed before usage was known — refunds the output
 * reservation but keeps the prompt tokens, which were sent to an engine and may have been
 * computed. Requests and model RPS are never refunded: the request was made.
 *
 * The user is the API key's user when keys are configured (a header cannot borrow someone else's
 * budget), else the `user` header; a request without a user has no per-user limits (as AIBrix),
 * so per-user limits are only enforceable with API keys. A store failure admits the request
 * (fail open: rate limiting must not become an outage) and is reported through `onStoreError`.
 *
 * With `requireApiKeys` (the Kubernetes install's default), a gateway that has no keys refuses
 * every request (401) instead of serving anonymously: keys may arrive later from a watched
 * Secret, and until then the gateway is closed, not open.
 */
import { AppError, type Clock } from '../shared/index.js';
import { ApiKeyTable, bearerToken, type ApiKeyEntry } from './api-keys.js';
import type { RateLimitStore } from './rate-limit-store.js';
import { refusal } from './admission-errors.js';
import {
  NO_TICKET,
  type AdmissionRequest,
  type AdmissionTicket,
  type LabelledCharge,
  type TrafficPolicy,
  type Unauthorized,
} from './admission.js';
import { boundedKey } from '../kvcache/index.js';
import type { TrafficConfig, UserLimits } from './traffic-config.js';

/** A policy whose limits and API keys can be replaced while it runs. */
export interface ReloadableTrafficPolicy extends TrafficPolicy {
  /** Applies new limits to the next request; counters already in the store are kept. */
  setLimits(limits: Pick<TrafficConfig, 'users' | 'defaultUser' | 'models'>): void;
  /**
   * Replaces the API keys for the next request. Counters are kept: they are keyed by user, so a
   * rotated key for the same user keeps spending that user's budget.
   */
  setApiKeys(entries: readonly ApiKeyEntry[]): void;
}

/** Dependencies: time, where the counters live, and where store failures are reported. */
export interface TrafficPolicyDeps {
  readonly clock: Clock;
  readonly store: RateLimitStore;
  /** Called with an AppError (ROUTING_RATE_LIMIT_STORE_FAILED) when the store fails. */
  readonly onStoreError?: (err: AppError) => void;
  /** Refuse every request (401) while no API key is configured. Default false (open). */
  readonly requireApiKeys?: boolean;
}

const MINUTE_MS = 60_000;
const SECOND_MS = 1_000;

function charge(
  key: string,
  perWindow: number,
  windowMs: number,
  amount: number,
  what: string,
): LabelledCharge {
  const emissionIntervalMs = windowMs / perWindow;
  // A window always admits at least one unit, so a limit below 1 per window still lets one through.
  return {
    key,
    emissionIntervalMs,
    burstMs: Math.max(windowMs, emissionIntervalMs),
    amount,
    what,
    limit: perWindow,
  };
}

const isAborted = (signal: AbortSignal): boolean => signal.aborted;
const keyPart = (name: string): string => encodeURIComponent(boundedKey(name));

/**
 * Output tokens reserved without `max_tokens`: the configured default, but never more than the
 * user's per-minute budget leaves after the prompt, so a small budget still admits requests.
 */
function defaultReservation(
  config: TrafficConfig,
  limits: UserLimits | undefined,
  req: AdmissionRequest,
): number {
  const tpm = limits?.tpm;
  const byDefault = config.defaultMaxTokensReservation;
  return tpm === undefined
    ? byDefault
    : Math.min(byDefault, Math.max(0, Math.floor(tpm) - req.promptTokens));
}

function unauthorized(message: string): Unauthorized {
  return { ok: false, status: 401, code: 'invalid_api_key', message };
}

/** Builds the admission policy from validated config (see traffic-config.ts). */
export function createTrafficPolicy(
  initial: TrafficConfig,
  deps: TrafficPolicyDeps,
): ReloadableTrafficPolicy {
  let config = initial;
  let keys = new ApiKeyTable(config.apiKeys);
  const storeFailed = (cause: unknown): void =>
    deps.onStoreError?.(
      new AppError('ROUTING_RATE_LIMIT_STORE_FAILED', 'rate-limit store failed; request admitted', {
        cause,
      }),
    );

  const identify = (
    req: Pick<AdmissionRequest, 'user' | 'authorization'>,
  ): { user: string | undefined } | Unauthorized => {
    if (!keys.isEnabled && deps.requireApiKeys === true)
      return unauthorized(
        'This gateway requires API keys and has none configured yet; ask its operator.',
      );
    if (!keys.isEnabled) return { user: req.user === '' ? undefined : req.user };
    const token = bearerToken(req.authorization);
    if (token === undefined)
      return unauthorized(
        "You didn't provide an API key. Send it as 'Authorization: Bearer <key>'.",
      );
    const user = keys.userOf(token);
    return user === undefined ? unauthorized('Incorrect API key provided.') : { user };
  };

  const ticketFor = (
    user: string,
    limits: UserLimits,
    req: AdmissionRequest,
    reservedOutput: number,
  ): AdmissionTicket => {
    const tpm = limits.tpm;
    if (tpm === undefined) return NO_TICKET;
    const key = `u:${keyPart(user)}:tpm`;
    const reserved = req.promptTokens + reservedOutput;
    let settled = false;
    return {
      async settle(usage) {
        if (settled) return;
        settled = true;
        const actual =
          usage === undefined ? req.promptTokens : usage.promptTokens + usage.completionTokens;
        const delta = actual - reserved;
        if (delta === 0) return;
        try {
          await deps.store.adjust(key, MINUTE_MS / tpm, delta, deps.clock.now());
        } catch (err) {
          storeFailed(err);
        }
      },
    };
  };

  return {
    authenticate(authorization) {
      const who = identify({ user: undefined, authorization });
      return 'ok' in who ? who : { ok: true };
    },
    setLimits({ users, defaultUser, models }) {
      config = { ...config, users, defaultUser, models };
    },
    setApiKeys(entries) {
      keys = new ApiKeyTable(entries);
    },
    async admit(req, opts) {
      const who = identify(req);
      if ('ok' in who) return who;
      const { user } = who;
      const charges: LabelledCharge[] = [];
      const userLimits =
        user === undefined ? undefined : (config.users.get(user) ?? config.defaultUser);
      const reservedOutput = req.maxTokens ?? defaultReservation(config, userLimits, req);
      if (user !== undefined && userLimits !== undefined) {
        if (userLimits.rpm !== undefined)
          charges.push(
            charge(`u:${keyPart(user)}:rpm`, userLimits.rpm, MINUTE_MS, 1, 'requests per minute'),
          );
        if (userLimits.tpm !== undefined)
          charges.push(
            charge(
              `u:${keyPart(user)}:tpm`,
              userLimits.tpm,
              MINUTE_MS,
              req.promptTokens + reservedOutput,
              'tokens per minute',
            ),
          );
      }
      const rps = config.models.get(req.model)?.rps;
      if (rps !== undefined)
        charges.push(
          charge(`m:${keyPart(req.model)}:rps`, rps, SECOND_MS, 1, 'requests per second'),
        );
      if (charges.length === 0) return { ok: true, user, ticket: NO_TICKET };
      const signal = opts.signal;
      if (signal.aborted) throw signal.reason;
      let outcome;
      try {
        outcome = await deps.store.reserve(charges, deps.clock.now(), { signal });
      } catch (err) {
        // The wait may have ended because the client went away: that is not a store failure.
        if (isAborted(signal)) throw signal.reason;
        storeFailed(err);
        return { ok: true, user, ticket: NO_TICKET };
      }
      if (outcome.ok) {
        const ticket =
          user !== undefined && userLimits !== undefined
            ? ticketFor(user, userLimits, req, reservedOutput)
            : NO_TICKET;
        return { ok: true, user, ticket };
      }
      return refusal(charges[outcome.index], outcome.retryAfterMs, user, req);
    },
  };
}
