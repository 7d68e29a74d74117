/**
 * pino logging (STYLE.md §16): one root logger per process, a child per component. The root
 * writes synchronously so the lines that explain a crash are never lost in a buffer.
 */
import { pino, type Logger } from 'pino';

export type { Logger } from 'pino';

/** The environment variable the CLI reads the log level from, once, for every command. */
export const LOG_LEVEL_ENV = 'INFERNODE_LOG_LEVEL';

/** The log level the environment asks for (`INFERNODE_LOG_LEVEL`), default `info`. Pure. */
export function logLevelFromEnv(env: Readonly<Record<string, string | undefined>>): string {
  return env[LOG_LEVEL_ENV] ?? 'info';
}

export interface LoggerOptions {
  /**
   * pino level. Callers pass what the CLI read from the environment; left out, the environment
   * is read here — only for the agent's and leader's mains, which do not pass it yet.
   */
  readonly level?: string;
  /** Static bindings on every line: process role, node, pod, version. Never user input. */
  readonly base?: Readonly<Record<string, string>>;
  /** Where to write; default stderr (fd 2) so stdout stays free for command output. */
  readonly fd?: number;
}

/** Builds the process's root logger. */
export function createLogger(options: LoggerOptions = {}): Logger {
  return pino(
    {
      level: options.level ?? logLevelFromEnv(process.env),
      base: { pid: process.pid, ...options.base },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    pino.destination({ fd: options.fd ?? 2, sync: true }),
  );
}

/** A logger that drops everything; for tests and library use. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
