/**
 * pino logging (STYLE.md §16): one root logger per process, a child per component. The root
 * writes synchronously so the lines that explain a crash are never lost in a buffer.
 */
import { pino, type Logger } from 'pino';

export type { Logger } from 'pino';

export interface LoggerOptions {
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
      level: options.level ?? process.env.INFERNODE_LOG_LEVEL ?? 'info',
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
