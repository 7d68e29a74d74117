/**
 * The admission port: rate limits, quotas and API keys decide before routing whether a request
 * may go on. The gateway calls `admit` and, after the response, settles the ticket with the real
 * token usage. The policy lives in src/routing (TrafficPolicy); the default admits everything.
 */
import type { AdmissionTicket, TrafficPolicy } from '../routing/index.js';

export type {
  AdmissionRequest,
  AdmissionResult,
  AdmissionTicket,
  AuthenticationResult,
} from '../routing/index.js';

/** The port the gateway calls: the routing area's TrafficPolicy. */
export type Admission = TrafficPolicy;

const NO_TICKET: AdmissionTicket = { settle: () => Promise.resolve() };

/** Admits every request without a key; the user is the `user` header. */
export const admitAll: Admission = {
  authenticate: () => ({ ok: true }),
  admit: (req) => Promise.resolve({ ok: true, user: req.user, ticket: NO_TICKET }),
};
