/**
 * The safetensors header check a loader does before it reads tensors, as the weights room
 * validates it (8-byte length within bounds, a JSON object header, every tensor's offsets inside
 * the file), turned into the AppError the simulator fails its start with.
 */
import { AppError } from '../shared/index.js';
import {
  safetensorsHeaderLength as headerLength,
  validateSafetensorsHeader,
} from '../weights/index.js';

/** Length of the JSON header from the first 8 bytes of a file of `fileSize` bytes. */
export function safetensorsHeaderLength(
  first8: Uint8Array,
  fileSize: number,
  name: string,
): number {
  const check = headerLength(first8, fileSize);
  if (check.kind === 'corrupt') throw corrupt(name, check.problem);
  return check.headerBytes;
}

/** Validates the header of a file of `fileSize` bytes; returns how many tensors it lists. */
export function checkSafetensorsHeaderJson(
  header: Uint8Array,
  fileSize: number,
  name: string,
): number {
  const check = validateSafetensorsHeader(header, fileSize);
  if (check.kind === 'corrupt') throw corrupt(name, check.problem);
  return check.tensors.length;
}

function corrupt(name: string, why: string): AppError {
  return new AppError('WEIGHTS_CORRUPT_SAFETENSORS', `${name}: not a safetensors file: ${why}`, {
    detail: { file: name },
  });
}
