/**
 * Which adapter names the agent accepts. The name becomes the engine's served model id
 * (`"model": "<name>"` in requests, an entry of /v1/models) and a directory name on the node, so
 * it must be both: 1–128 characters of [A-Za-z0-9._-], not `.` or `..`, no `/` (a Hub-style
 * `org/name` would nest directories and collide with the Hub ids vLLM treats as downloads), and
 * never the base model's own id (requests for the base would reach the adapter). Pure.
 */

/** Longest adapter name. */
export const MAX_ADAPTER_NAME_LENGTH = 128;

const NAME = /^[A-Za-z0-9._-]+$/;

/**
 * Why `name` cannot be an adapter name on an engine serving `baseModel`, or undefined when it
 * can.
 */
export function adapterNameProblem(name: string, baseModel?: string): string | undefined {
  if (name.length === 0 || name.length > MAX_ADAPTER_NAME_LENGTH)
    return `adapter name must be 1–${MAX_ADAPTER_NAME_LENGTH} characters`;
  if (!NAME.test(name))
    return `adapter name ${JSON.stringify(name)} may contain only letters, digits, '.', '_' and '-'`;
  if (name === '.' || name === '..') return `adapter name ${JSON.stringify(name)} is not allowed`;
  if (baseModel !== undefined && name === baseModel)
    return `adapter name ${JSON.stringify(name)} is the engine's base model`;
  return undefined;
}
