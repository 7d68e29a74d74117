/** Command-line argument parsing: `--key value`, `--key=value`, `--flag`, `--no-flag`, positionals. */
import { AppError } from './errors.js';

export interface ParsedArgs {
  readonly positionals: readonly string[];
  readonly flags: Readonly<Record<string, string | boolean>>;
}

/**
 * Parses argv. A `--name` followed by a value that does not start with `--` takes it; otherwise
 * it is a boolean `true`. `--no-name` is `false`. `--` ends flags.
 */
export function parseArgs(argv: readonly string[]): ParsedArgs {
  const positionals: string[] = [];
  const flags: Record<string, string | boolean> = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (!arg.startsWith('--')) {
      positionals.push(arg);
      continue;
    }
    const body = arg.slice(2);
    if (body === '') throw new AppError('CLI_USAGE', 'empty flag "--"');
    const eq = body.indexOf('=');
    if (eq >= 0) {
      flags[body.slice(0, eq)] = body.slice(eq + 1);
      continue;
    }
    const next = argv[i + 1];
    if (next !== undefined && !next.startsWith('--')) {
      flags[body] = next;
      i++;
    } else if (body.startsWith('no-')) {
      flags[body.slice(3)] = false;
    } else {
      flags[body] = true;
    }
  }
  return { positionals, flags };
}
