/** Runs the built CLI (`dist/cli/main.js`) as an operator would, for end-to-end tests. */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { once } from 'node:events';

/** What a finished CLI run printed and how it ended. */
export interface CliRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** Wall time from spawn to exit, ms. */
  readonly ms: number;
}

/** A running CLI process whose output is collected as it comes. */
export interface CliProcess {
  readonly child: ChildProcessWithoutNullStreams;
  output(): { readonly stdout: string; readonly stderr: string };
  /** Resolves when it exits; kills it with SIGKILL past `timeoutMs`. */
  exited(timeoutMs?: number): Promise<CliRun>;
}

/** Starts `infernode <args>` with extra environment (a token, say). */
export function startCli(args: readonly string[], env: Record<string, string> = {}): CliProcess {
  const started = Date.now();
  const child = spawn(process.execPath, ['dist/cli/main.js', ...args], {
    env: { ...process.env, ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  child.stdin.end();
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const closed = once(child, 'close') as Promise<[number | null]>;
  return {
    child,
    output: () => ({ stdout, stderr }),
    async exited(timeoutMs = 60_000) {
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      const [code] = await closed;
      clearTimeout(timer);
      return { code, stdout, stderr, ms: Date.now() - started };
    },
  };
}

/** Runs `infernode <args>` to the end. */
export function runCli(
  args: readonly string[],
  env: Record<string, string> = {},
  timeoutMs = 60_000,
): Promise<CliRun> {
  return startCli(args, env).exited(timeoutMs);
}
