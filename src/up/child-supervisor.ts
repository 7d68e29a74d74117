/**
 * Runs the local cluster's processes as children: restarts one that dies on its own (with
 * backoff, reported on the console), stops them all with SIGTERM then SIGKILL after a grace
 * period, and never leaves one behind — even when this process itself is killed.
 *
 * Each child runs in its own process group, so a Ctrl-C at the terminal reaches only the
 * supervising process, which then sends each child one SIGTERM and waits for it to drain
 * (before, the terminal's SIGINT and the supervisor's SIGTERM arrived together, and the second
 * signal made the child skip its drain). While the cluster starts, a child that exits is not
 * restarted but reported through `startupFailure`: a bad port or file fails at once instead of
 * restarting for a minute.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { join } from 'node:path';
import { once } from 'node:events';

export interface ChildSpec {
  /** Unique name, e.g. `sim-node-a-engine-0`, `agent-node-a`, `leader`. */
  readonly name: string;
  readonly args: readonly string[];
  readonly env?: Readonly<Record<string, string>>;
}

/** A child that exited while the cluster was starting. */
export interface ChildExit {
  readonly name: string;
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  /** The last line the child wrote to stderr (its own one-line reason, or a JSON log line). */
  readonly lastLine: string;
  readonly logPath: string;
}

/** Bytes of each child's stderr kept in memory to explain a failure at start. */
const STDERR_TAIL_BYTES = 4096;

interface Child {
  readonly spec: ChildSpec;
  readonly logPath: string;
  /** The end of the child's stderr, at most STDERR_TAIL_BYTES. */
  stderrTail: string;
  process: ChildProcess | undefined;
  restarts: number;
  /** False once stopped on purpose: no restart. */
  wanted: boolean;
  log: WriteStream;
}

export interface SupervisorOptions {
  /** The CLI entry (dist/cli/main.js). */
  readonly cliPath: string;
  /** Where each child's output goes: <logDir>/<name>.log. */
  readonly logDir: string;
  /** Told about deaths and restarts (the console, in `up`). */
  readonly report: (line: string) => void;
  /** Time a child gets between SIGTERM and SIGKILL. Default 5000 ms. */
  readonly stopGraceMs?: number;
}

/** True while the process has neither exited nor been killed. */
const isAlive = (p: ChildProcess | undefined): boolean =>
  p?.exitCode === null && p.signalCode === null;

const RESTART_DELAYS_MS = [500, 1000, 2000, 5000, 10_000];

export class ChildSupervisor {
  readonly #options: SupervisorOptions;
  readonly #children = new Map<string, Child>();
  #stopping = false;
  /** Set while the cluster starts: exits go here instead of being restarted. */
  #onStartupExit: ((exit: ChildExit) => void) | undefined;
  readonly #onExit = (): void => {
    for (const c of this.#children.values()) c.process?.kill('SIGKILL');
  };

  constructor(options: SupervisorOptions) {
    this.#options = options;
    mkdirSync(options.logDir, { recursive: true });
    process.on('exit', this.#onExit);
  }

  /** Starts (or restarts) a child by spec. */
  start(spec: ChildSpec): void {
    const existing = this.#children.get(spec.name);
    if (isAlive(existing?.process)) return;
    const logPath = join(this.#options.logDir, `${spec.name}.log`);
    const child: Child = existing ?? {
      spec,
      logPath,
      stderrTail: '',
      process: undefined,
      restarts: 0,
      wanted: true,
      log: createWriteStream(logPath, { flags: 'a' }),
    };
    child.wanted = true;
    this.#children.set(spec.name, child);
    this.#spawn(child);
  }

  /**
   * Until `done` is called, a child that exits is not restarted: `failed` resolves with the
   * first such exit (the caller stops the others and reports it). Then restarts resume.
   */
  watchStartup(): { readonly failed: Promise<ChildExit>; done(): void } {
    const failed = new Promise<ChildExit>((resolve) => (this.#onStartupExit = resolve));
    return { failed, done: () => (this.#onStartupExit = undefined) };
  }

  /** Restarts a previously started child after it was stopped. */
  restart(name: string): void {
    const child = this.#children.get(name);
    if (child !== undefined) this.start(child.spec);
  }

  /** Sends a signal to a child as a crash would; it is restarted unless `restart` is false. */
  kill(
    name: string,
    signal: NodeJS.Signals = 'SIGKILL',
    options: { restart: boolean } = { restart: true },
  ): void {
    const child = this.#children.get(name);
    if (child === undefined) throw new Error(`no child named ${name}`);
    child.wanted = options.restart;
    child.process?.kill(signal);
  }

  /**
   * Stops one child for good (SIGTERM, then SIGKILL after the grace period: `graceMs`, default
   * the supervisor's stopGraceMs).
   */
  async stop(name: string, graceMs?: number): Promise<void> {
    const child = this.#children.get(name);
    if (child === undefined) return;
    child.wanted = false;
    await this.#terminate(child, graceMs);
  }

  /** Stops every child; resolves when all have exited. */
  async stopAll(): Promise<void> {
    this.#stopping = true;
    await Promise.all(
      [...this.#children.values()].map((c) => ((c.wanted = false), this.#terminate(c))),
    );
    for (const c of this.#children.values()) c.log.end();
    process.off('exit', this.#onExit);
  }

  /** PIDs of the children alive now. */
  pids(): Map<string, number> {
    const out = new Map<string, number>();
    for (const [name, c] of this.#children) {
      if (
        c.process?.pid !== undefined &&
        c.process.exitCode === null &&
        c.process.signalCode === null
      )
        out.set(name, c.process.pid);
    }
    return out;
  }

  #spawn(child: Child): void {
    const proc = spawn(process.execPath, [this.#options.cliPath, ...child.spec.args], {
      env: { ...process.env, ...child.spec.env },
      stdio: ['ignore', 'pipe', 'pipe'],
      // Its own process group: the terminal's Ctrl-C reaches only us (see the file comment).
      detached: true,
    });
    child.process = proc;
    child.stderrTail = '';
    proc.stdout.pipe(child.log, { end: false });
    proc.stderr.pipe(child.log, { end: false });
    proc.stderr.on('data', (chunk: Buffer) => {
      child.stderrTail = (child.stderrTail + chunk.toString('utf8')).slice(-STDERR_TAIL_BYTES);
    });
    proc.on('exit', (code, signal) => {
      if (this.#stopping || !child.wanted) return;
      const onStartupExit = this.#onStartupExit;
      if (onStartupExit !== undefined) {
        child.wanted = false;
        // 'close' follows 'exit' once stderr is drained, so the last line is complete.
        proc.once('close', () => {
          const lines = child.stderrTail.split('\n').filter((l) => l.trim() !== '');
          onStartupExit({
            name: child.spec.name,
            code,
            signal,
            lastLine: lines[lines.length - 1] ?? '',
            logPath: child.logPath,
          });
        });
        return;
      }
      const delay =
        RESTART_DELAYS_MS[Math.min(child.restarts, RESTART_DELAYS_MS.length - 1)] ?? 10_000;
      child.restarts++;
      this.#options.report(
        `${child.spec.name} exited (${signal ?? `code ${String(code)}`}); restarting in ${delay} ms (restart #${child.restarts})`,
      );
      setTimeout(() => {
        if (child.wanted && !this.#stopping) this.#spawn(child);
      }, delay).unref();
    });
  }

  async #terminate(child: Child, graceMs?: number): Promise<void> {
    const proc = child.process;
    if (proc === undefined) return;
    if (proc.exitCode !== null || proc.signalCode !== null) return;
    const exited = once(proc, 'exit');
    proc.kill('SIGTERM');
    const timer = setTimeout(
      () => proc.kill('SIGKILL'),
      graceMs ?? this.#options.stopGraceMs ?? 5000,
    );
    await exited;
    clearTimeout(timer);
  }
}
