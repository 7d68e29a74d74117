/**
 * One small error hierarchy with stable codes (STYLE.md §15). Codes are mapped to HTTP only at
 * the edge; pure code returns expected outcomes as discriminated unions instead of throwing.
 */

/** Every stable error code, grouped by area prefix. The README error table lists each one. */
export const ERROR_CODES = [
  'CONFIG_INVALID',
  'CONFIG_FILE_UNREADABLE',
  'CLI_USAGE',
  'GW_BAD_REQUEST',
  'GW_BODY_TOO_LARGE',
  'GW_BODY_TOO_DEEP',
  'GW_BODY_TIMEOUT',
  'GW_OVERLOADED',
  'GW_TOO_MANY_CONNECTIONS',
  'GW_ROUTING_FAILED',
  'GW_UPSTREAM_CONNECT_TIMEOUT',
  'GW_UPSTREAM_FIRST_BYTE_TIMEOUT',
  'GW_UPSTREAM_STREAM_IDLE_TIMEOUT',
  'GW_UPSTREAM_CONNECT_FAILED',
  'GW_UPSTREAM_RESET',
  'GW_UPSTREAM_ERROR',
  'AGENT_SCRAPE_FAILED',
  'AGENT_LEADER_PIN_MISMATCH',
  'AGENT_BAD_REQUEST',
  'AGENT_UNAUTHORIZED',
  'AGENT_FORBIDDEN',
  'LEADER_LEASE_LOST',
  'LEADER_BAD_REQUEST',
  'LEADER_UNAUTHORIZED',
  'LEADER_FORBIDDEN',
  'PROC_CHILD_FAILED',
  'PROC_PORT_IN_USE',
  'ROUTING_NO_ENDPOINT',
  'GPU_PROBE_NOT_FOUND',
  'GPU_PROBE_TIMEOUT',
  'GPU_PROBE_ABORTED',
  'GPU_PROBE_KILLED',
  'GPU_PROBE_EXIT_NONZERO',
  'GPU_PROBE_OUTPUT_INVALID',
  'GPU_DRIVER_UNAVAILABLE',
  'GPU_KMSG_READ_FAILED',
  'GPU_HOST_PROBE_FAILED',
  'K8S_REQUEST_FAILED',
  'K8S_REQUEST_TIMEOUT',
  'K8S_NOT_FOUND',
  'K8S_CONFLICT',
  'K8S_FORBIDDEN',
  'K8S_INVALID',
  'K8S_UNAVAILABLE',
  'ROUTING_RATE_LIMIT_STORE_FAILED',
  'CONTROLLER_RECONCILE_TIMEOUT',
  'ROUTING_API_KEYS_SECRET_INVALID',
  'WEIGHTS_BAD_URI',
  'WEIGHTS_UNSUPPORTED_SCHEME',
  'WEIGHTS_HOST_NOT_ALLOWED',
  'WEIGHTS_PATH_ESCAPE',
  'WEIGHTS_NOT_FOUND',
  'WEIGHTS_UNAUTHORIZED',
  'WEIGHTS_SOURCE_FAILED',
  'WEIGHTS_SOURCE_TIMEOUT',
  'WEIGHTS_SOURCE_CHANGED',
  'WEIGHTS_INTEGRITY',
  'WEIGHTS_CORRUPT_SAFETENSORS',
  'WEIGHTS_DISK_FULL',
  'WEIGHTS_CACHE_FULL',
  'WEIGHTS_ABORTED',
  'WEIGHTS_TOO_MANY_READERS',
  'WEIGHTS_IN_USE',
  'WEIGHTS_CACHE_UNAVAILABLE',
  'COMMAND_STALE_EPOCH',
  'COMMAND_UNKNOWN_KIND',
  'COMMAND_BAD_ARGS',
  'COMMAND_QUEUE_FULL',
  'COMMAND_TIMEOUT',
  'COMMAND_CANCELLED',
  'COMMAND_NODE_UNKNOWN',
  'COMMAND_FAILED',
  'ENGINE_NOT_FOUND',
  'KV_BLOCK_TOO_LARGE',
  'KV_FRAME_TOO_LARGE',
  'KV_BAD_URL',
  'KV_PEER_UNAVAILABLE',
  'KV_PEER_TIMEOUT',
  'KV_PEER_REFUSED',
  'KV_PEER_PROTOCOL',
  'KV_PEER_BUSY',
  'KV_ABORTED',
  'KV_LOOKUP_FAILED',
  'LORA_ARTIFACT_FAILED',
  'LORA_BAD_ADAPTER',
  'LORA_TOO_LARGE',
  'LORA_RANK_TOO_HIGH',
  'LORA_ENGINE_REFUSED',
  'LORA_NO_SLOT',
  'LORA_ENGINE_UNAVAILABLE',
  'LORA_NOT_VISIBLE',
  'LORA_UNKNOWN_ENGINE',
  'AUTOSCALING_BAD_METRIC_SOURCE',
  'AUTOSCALING_METRIC_SOURCE_FAILED',
  'OPTIMIZER_PROFILE_INVALID',
  'OPTIMIZER_PROFILE_MISSING',
  'OPTIMIZER_SOLVER_FAILED',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

export interface AppErrorOptions {
  readonly httpStatus?: number;
  readonly cause?: unknown;
  /** Extra structured detail for logs; never user secrets. */
  readonly detail?: Readonly<Record<string, unknown>>;
}

/** The base error: a stable `code`, an optional HTTP status for the edge, and a chained cause. */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly httpStatus: number | undefined;
  readonly detail: Readonly<Record<string, unknown>> | undefined;

  constructor(code: ErrorCode, message: string, options: AppErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AppError';
    this.code = code;
    this.httpStatus = options.httpStatus;
    this.detail = options.detail;
  }
}

/** One problem found while validating config, with the dotted path of the offending key. */
export interface ConfigIssue {
  readonly path: string;
  readonly message: string;
}

/** Thrown once with every config problem found, so the operator fixes them all in one go. */
export class ConfigError extends AppError {
  readonly issues: readonly ConfigIssue[];

  constructor(issues: readonly ConfigIssue[]) {
    super(
      'CONFIG_INVALID',
      `invalid configuration: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`,
    );
    this.name = 'ConfigError';
    this.issues = issues;
  }
}

/** True when `err` is an AppError with the given code. */
export function hasCode(err: unknown, code: ErrorCode): boolean {
  return err instanceof AppError && err.code === code;
}

/** Turns anything thrown into an Error, so logs and causes are always well formed. */
export function toError(thrown: unknown): Error {
  if (thrown instanceof Error) return thrown;
  return new Error(typeof thrown === 'string' ? thrown : JSON.stringify(thrown));
}
