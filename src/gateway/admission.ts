/**
 * The admission port: rate limits, quotas and API keys decide before routing whether a request
 * may go on. The gateway calls `admit` and, after the response, settles the ticket with the real
 * token usage. The default admits everything.
 */

export interface AdmissionRequest {
  readonly user: string | undefined;
  readonly authorization: string | undefined;
  readonly model: string;
  readonly promptTokens: number;
  readonly maxTokens: number | undefined;
}

export interface AdmissionTicket {
  settle(
    usage: { readonly promptTokens: number; readonly completionTokens: number } | undefined,
  ): Promise<void>;
}

export type AdmissionResult =
  | { readonly ok: true; readonly user: string | undefined; readonly ticket: AdmissionTicket }
  | {
      readonly ok: false;
      readonly status: 401 | 429;
      readonly code: string;
      readonly message: string;
      readonly retryAfterSeconds?: number;
    };

export interface Admission {
  admit(req: AdmissionRequest, opts: { readonly signal: AbortSignal }): Promise<AdmissionResult>;
}

const NO_TICKET: AdmissionTicket = { settle: () => Promise.resolve() };

/** Admits every request; the user is the `user` header. */
export const admitAll: Admission = {
  admit: (req) => Promise.resolve({ ok: true, user: req.user, ticket: NO_TICKET }),
};
