/**
 * The port the simulator's weight loader reads a model through: a local directory or an S3
 * bucket prefix. Every call takes an AbortSignal that carries both the per-call timeout and the
 * simulator's stop signal.
 */

/** One file of a model, named relative to the model's root. */
export interface ModelFileInfo {
  readonly name: string;
  readonly size: number;
}

/** Where a model's bytes come from. */
export interface ModelStore {
  /** The model path as the operator wrote it, for logs and errors. */
  readonly where: string;
  /** The model's top-level files. Rejects WEIGHTS_NOT_FOUND when the path does not exist. */
  list(signal: AbortSignal): Promise<ModelFileInfo[]>;
  /** Bytes [start, end) of one listed file; rejects when fewer arrive. */
  read(file: ModelFileInfo, start: number, end: number, signal: AbortSignal): Promise<Uint8Array>;
  /** Releases open files and connections. Idempotent. */
  close(): Promise<void>;
}

/** Most files one model may list (a bound; real models have tens). */
export const MAX_MODEL_FILES = 10_000;
