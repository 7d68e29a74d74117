/**
 * The admission port: what the gateway asks before routing (API keys, rate limits) and the
 * ticket it settles with the real token usage afterwards. TrafficPolicy (traffic-policy.ts) is
 * the configured implementation; {@link admitAll} admits everything.
 */
import type { GcraCharge } from './gcra.js';

/** What the gateway knows about a request at admission. */
export interface AdmissionRequest {
  /** The `user` header. */
  readonly user: string | undefined;
  /** The `Authorization` header. */
  readonly authorization: string | undefined;
  readonly model: string;
  /** Prompt size in stand-in tokens. */
  readonly promptTokens: number;
  /** `max_tokens` / `max_completion_tokens` when given. */
  readonly maxTokens: number | undefined;
}

/** Admitted (with the user the request counts against), or refused with an OpenAI error. */
export type AdmissionResult =
  | { readonly ok: true; readonly user: string | undefined; readonly ticket: AdmissionTicket }
  | {
      readonly ok: false;
      readonly status: 401 | 429;
      /** OpenAI error code: `invalid_api_key` or `rate_limit_exceeded`. */
      readonly code: string;
      readonly message: string;
      /** Seconds until enough budget frees (whole, ≥ 1); absent when waiting cannot help. */
      readonly retryAfterSeconds?: number;
    };

/** Settles an admitted request's token reservation; call once when it ends (later calls no-op). */
export interface AdmissionTicket {
  /** Never rejects: store failures go to `onStoreError`. */
  settle(
    usage: { readonly promptTokens: number; readonly completionTokens: number } | undefined,
  ): Promise<void>;
}

/** A refusal for a missing or wrong API key. */
export interface Unauthorized {
  readonly ok: false;
  readonly status: 401;
  /** OpenAI error code: `invalid_api_key`. */
  readonly code: string;
  readonly message: string;
}

/** The API-key check alone: passed (or keys are off), or refused with 401. */
export type AuthenticationResult = { readonly ok: true } | Unauthorized;

/** The gateway's admission port. */
export interface TrafficPolicy {
  /**
   * Checks the `Authorization` header against the API keys, from the headers alone, so the
   * gateway can refuse a caller before reading its body or telling it anything (which models
   * exist, which strategies). Always ok when no keys are configured. `admit` checks again.
   */
  authenticate(authorization: string | undefined): AuthenticationResult;
  /**
   * Rejects only when it has to wait on the rate-limit store (a limit applies) and `signal` has
   * aborted (with its reason). `opts.signal` is read only then, so a caller may make it lazily:
   * the gateway builds no AbortController for a request that waits on nothing.
   */
  admit(req: AdmissionRequest, opts: { readonly signal: AbortSignal }): Promise<AdmissionResult>;
}

/** A charge with what it limits, for the refusal message. */
export interface LabelledCharge extends GcraCharge {
  readonly what: string;
  readonly limit: number;
}

/** A ticket with nothing to settle. */
export const NO_TICKET: AdmissionTicket = { settle: () => Promise.resolve() };

/** Admits every request without a key; the user is the `user` header. */
export const admitAll: TrafficPolicy = {
  authenticate: () => ({ ok: true }),
  admit: (req) => Promise.resolve({ ok: true, user: req.user, ticket: NO_TICKET }),
};
