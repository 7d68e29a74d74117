/** The refusals of the traffic policy and their OpenAI-shaped error body. */
import type { AdmissionRequest, AdmissionResult, LabelledCharge } from './admission.js';

/** A 429 for the charge that did not fit: Retry-After when waiting helps, else "too large". */
export function refusal(
  failed: LabelledCharge | undefined,
  retryAfterMs: number,
  user: string | undefined,
  req: AdmissionRequest,
): AdmissionResult {
  const subject =
    failed?.key.startsWith('m:') === true ? `model ${req.model}` : `user ${user ?? ''}`;
  const limit = `${failed?.what ?? 'rate'} (limit ${failed?.limit ?? 0})`;
  if (!Number.isFinite(retryAfterMs)) {
    return {
      ok: false,
      status: 429,
      code: 'rate_limit_exceeded',
      message: `Request too large for ${subject}: it needs ${failed?.amount ?? 0} tokens, more than the ${limit}. Lower max_tokens or the prompt.`,
    };
  }
  const retryAfterSeconds = Math.max(1, Math.ceil(retryAfterMs / 1000));
  return {
    ok: false,
    status: 429,
    code: 'rate_limit_exceeded',
    message: `Rate limit reached for ${subject} on ${limit}. Please try again in ${retryAfterSeconds}s.`,
    retryAfterSeconds,
  };
}

/**
 * The OpenAI-shaped error body for a refused admission: `{ error: { message, type, code, param } }`
 * with type `invalid_request_error` for 401 (as OpenAI answers a bad key) and `rate_limit_error`
 * for 429 (AIBrix's convention; OpenAI sends `requests`/`tokens`).
 */
export function admissionErrorBody(result: Extract<AdmissionResult, { ok: false }>): {
  error: { message: string; type: string; code: string; param: string | null };
} {
  return {
    error: {
      message: result.message,
      type: result.status === 401 ? 'invalid_request_error' : 'rate_limit_error',
      code: result.code,
      param: null,
    },
  };
}
