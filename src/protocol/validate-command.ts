/**
 * Validation of the command channel's messages (command-messages.ts). Each check returns a
 * problem string or undefined; it never throws, whatever the input, so a peer's bad command
 * closes its socket and crashes nothing.
 */
import { COMMAND_LIMITS } from './command-messages.js';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);
const isStr = (v: unknown, max: number): v is string =>
  typeof v === 'string' && v.length > 0 && v.length <= max;

/** True when `value` nests arrays/objects deeper than `maxDepth`; iterative, stops early. */
function tooDeep(value: unknown, maxDepth: number): boolean {
  const stack: { v: unknown; depth: number }[] = [{ v: value, depth: 1 }];
  for (let top = stack.pop(); top !== undefined; top = stack.pop()) {
    const { v, depth } = top;
    if (v === null || typeof v !== 'object') continue;
    if (depth > maxDepth) return true;
    for (const child of Object.values(v as Obj)) stack.push({ v: child, depth: depth + 1 });
  }
  return false;
}

/**
 * Problem with a JSON object field: not an object, nested too deep, or larger than `maxBytes`
 * once serialized. Depth is checked first so serializing cannot recurse without bound.
 */
export function checkJsonObject(
  value: unknown,
  what: string,
  maxBytes: number,
): string | undefined {
  if (!isObj(value)) return `${what} must be a JSON object`;
  if (tooDeep(value, COMMAND_LIMITS.jsonDepth))
    return `${what} nests deeper than ${COMMAND_LIMITS.jsonDepth}`;
  let size: number;
  try {
    size = JSON.stringify(value).length;
  } catch {
    return `${what} is not serializable`;
  }
  return size > maxBytes ? `${what} is ${size} bytes, over ${maxBytes}` : undefined;
}

const checkId = (m: Obj, type: string): string | undefined =>
  isStr(m.id, COMMAND_LIMITS.idChars)
    ? undefined
    : `${type} needs an id of 1..${COMMAND_LIMITS.idChars} characters`;

/** Problem with a leader → agent `command`, or undefined. */
export function checkCommand(m: Obj): string | undefined {
  const bad = checkId(m, 'command');
  if (bad !== undefined) return bad;
  if (!Number.isSafeInteger(m.epoch) || (m.epoch as number) < 0)
    return 'command needs an epoch (integer ≥ 0)';
  if (!isStr(m.kind, COMMAND_LIMITS.kindChars))
    return `command needs a kind of 1..${COMMAND_LIMITS.kindChars} characters`;
  if (
    m.timeoutMs !== undefined &&
    !(
      Number.isSafeInteger(m.timeoutMs) &&
      (m.timeoutMs as number) > 0 &&
      (m.timeoutMs as number) <= COMMAND_LIMITS.maxTimeoutMs
    )
  )
    return `command timeoutMs must be an integer in 1..${COMMAND_LIMITS.maxTimeoutMs}`;
  return checkJsonObject(m.args, 'command args', COMMAND_LIMITS.argsBytes);
}

/** Problem with a leader → agent `cancel`, or undefined. */
export function checkCancel(m: Obj): string | undefined {
  return checkId(m, 'cancel');
}

/** Problem with an agent → leader `progress`, or undefined. */
export function checkProgress(m: Obj): string | undefined {
  return (
    checkId(m, 'progress') ?? checkJsonObject(m.progress, 'progress', COMMAND_LIMITS.progressBytes)
  );
}

/** Problem with an agent → leader `result`, or undefined. */
export function checkResult(m: Obj): string | undefined {
  const bad = checkId(m, 'result');
  if (bad !== undefined) return bad;
  if (!isStr(m.kind, COMMAND_LIMITS.kindChars)) return 'result needs a kind';
  if (m.ok === true)
    return m.value === undefined
      ? undefined
      : checkJsonObject(m.value, 'result value', COMMAND_LIMITS.valueBytes);
  if (m.ok !== false) return 'result ok must be a boolean';
  const e = m.error;
  if (!isObj(e)) return 'a failed result needs an error';
  if (!isStr(e.code, COMMAND_LIMITS.codeChars) || !/^[A-Z][A-Z0-9_]*$/.test(e.code))
    return 'result error code must be an UPPER_SNAKE code';
  if (typeof e.message !== 'string' || e.message.length > COMMAND_LIMITS.messageChars)
    return `result error message must be a string of at most ${COMMAND_LIMITS.messageChars} characters`;
  return undefined;
}
