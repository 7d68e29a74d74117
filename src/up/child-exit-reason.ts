/**
 * One line saying why a child of `infernode up` stopped at start, from the last line it wrote
 * to stderr: either the CLI's own one-line message or a pino JSON line (its `msg` and the
 * error's message). Pure.
 */
import type { ChildExit } from './child-supervisor.js';

interface LogLine {
  readonly msg?: unknown;
  readonly err?: { readonly message?: unknown };
  readonly issues?: readonly { readonly path?: unknown; readonly message?: unknown }[];
}

/** The reason in a child's last stderr line, with JSON logs flattened to text. */
export function lastLineReason(line: string): string {
  if (!line.startsWith('{')) return line.replace(/^infernode( [a-z-]+)?: /, '');
  let parsed: LogLine;
  try {
    parsed = JSON.parse(line) as LogLine;
  } catch {
    return line;
  }
  const parts = [typeof parsed.msg === 'string' ? parsed.msg : 'failed'];
  if (typeof parsed.err?.message === 'string') parts.push(parsed.err.message);
  for (const issue of parsed.issues ?? [])
    parts.push(`${String(issue.path)} ${String(issue.message)}`);
  return parts.join(': ');
}

/** E.g. `leader exited at start (code 1): port 8080 in use …; its log: /x/leader.log`. */
export function describeChildExit(exit: ChildExit): string {
  const how = exit.signal ?? `code ${String(exit.code)}`;
  const reason = exit.lastLine === '' ? 'no error output' : lastLineReason(exit.lastLine);
  return `${exit.name} exited at start (${how}): ${reason}; its log: ${exit.logPath}`;
}
