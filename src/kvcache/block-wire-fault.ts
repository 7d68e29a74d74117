/**
 * Why the native KV frame decoder refused a stream, as a typed error the decoder catches (kept
 * apart so the body reader and the parsers share it without importing each other).
 */

/** Why a stream was refused. */
export type FrameFault =
  | 'bad-magic'
  | 'bad-kind'
  | 'unknown-op'
  | 'bad-reserved'
  | 'frame-too-large'
  | 'too-many-keys'
  | 'bad-key'
  | 'bad-field'
  | 'length-mismatch';

/** A refusal with its reason. */
export class Fault extends Error {
  readonly fault: FrameFault;
  constructor(fault: FrameFault, message: string) {
    super(message);
    this.fault = fault;
  }
}
