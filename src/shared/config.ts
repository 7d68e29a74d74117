/**
 * Typed configuration (STYLE.md §14): a spec tree of fields, merged as defaults < file < env <
 * flags, validated once with every problem reported together, then frozen. The same spec renders
 * each subcommand's `--help` and the README config tables, so the three never drift apart. The
 * spec's fields, builders and names are config-spec.ts; this file loads and checks values.
 */
import { describeSpec, type ConfigOf, type Field, type Spec } from './config-spec.js';
import { ConfigError, type ConfigIssue } from './errors.js';

/** Where values come from; each layer is optional. */
export interface ConfigSources {
  /** Parsed config file contents (YAML/JSON object), nested like the spec. */
  readonly file?: unknown;
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Flag values by flag name (without dashes), as strings or booleans from the CLI parser. */
  readonly flags?: Readonly<Record<string, string | boolean>>;
}

function fromText(field: Field, text: string): { value?: unknown; error?: string } {
  switch (field.kind) {
    case 'int':
    case 'number': {
      const n = Number(text);
      return text.trim() === '' || Number.isNaN(n)
        ? { error: `"${text}" is not a number` }
        : { value: n };
    }
    case 'bool':
      if (/^(true|1|yes|on)$/i.test(text)) return { value: true };
      if (/^(false|0|no|off)$/i.test(text)) return { value: false };
      return { error: `"${text}" is not a boolean` };
    case 'list':
      return {
        value: text
          .split(',')
          .map((s) => s.trim())
          .filter((s) => s !== ''),
      };
    case 'string':
      return { value: text };
  }
}

function checkValue(field: Field, value: unknown): string | undefined {
  switch (field.kind) {
    case 'int':
    case 'number': {
      if (typeof value !== 'number' || !Number.isFinite(value))
        return `expected a number, got ${JSON.stringify(value)}`;
      if (field.kind === 'int' && !Number.isInteger(value))
        return `expected an integer, got ${value}`;
      if (field.min !== undefined && value < field.min)
        return `must be ≥ ${field.min}, got ${value}`;
      if (field.max !== undefined && value > field.max)
        return `must be ≤ ${field.max}, got ${value}`;
      return field.check?.(value);
    }
    case 'bool':
      return typeof value === 'boolean'
        ? undefined
        : `expected a boolean, got ${JSON.stringify(value)}`;
    case 'list':
      if (!Array.isArray(value) || value.some((v) => typeof v !== 'string'))
        return 'expected a list of strings';
      return field.check?.(value as string[]);
    case 'string':
      if (typeof value !== 'string') return `expected a string, got ${JSON.stringify(value)}`;
      if (field.oneOf && !field.oneOf.includes(value))
        return `unknown "${value}"; valid: ${field.oneOf.join(', ')}`;
      return field.check?.(value);
  }
}

function fileValue(file: unknown, path: string): unknown {
  let node: unknown = file;
  for (const part of path.split('.')) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string, unknown>)[part];
  }
  return node;
}

function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
  const parts = path.split('.');
  let node = target;
  for (const part of parts.slice(0, -1)) {
    node[part] ??= {};
    node = node[part] as Record<string, unknown>;
  }
  node[parts[parts.length - 1] ?? path] = value;
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object') {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}

/**
 * Builds the config from its sources. Throws one ConfigError listing every problem (unknown
 * flags included) so the process can log it once and exit 1.
 */
export function loadConfig<S extends Spec>(
  spec: S,
  envPrefix: string,
  sources: ConfigSources,
): ConfigOf<S> {
  const issues: ConfigIssue[] = [];
  const out: Record<string, unknown> = {};
  const fields = describeSpec(spec, envPrefix);
  const knownFlags = new Set(fields.map((f) => f.flag));
  for (const flag of Object.keys(sources.flags ?? {})) {
    if (!knownFlags.has(flag)) issues.push({ path: `--${flag}`, message: 'unknown flag' });
  }
  for (const info of fields) {
    let value: unknown = info.field.default;
    const fromFile = fileValue(sources.file, info.path);
    if (fromFile !== undefined)
      value =
        info.field.kind === 'list' && typeof fromFile === 'string'
          ? fromText(info.field, fromFile).value
          : fromFile;
    const layers: [string, string | boolean | undefined][] = [
      [info.env ?? '', info.env === undefined ? undefined : sources.env?.[info.env]],
      [`--${info.flag}`, sources.flags?.[info.flag]],
    ];
    let failed = false;
    for (const [origin, raw] of layers) {
      if (raw === undefined) continue;
      if (typeof raw === 'boolean') {
        if (info.field.kind === 'bool') value = raw;
        else {
          issues.push({ path: info.path, message: `${origin} needs a value` });
          failed = true;
        }
        continue;
      }
      const parsed = fromText(info.field, raw);
      if (parsed.error !== undefined) {
        issues.push({ path: info.path, message: `${origin}: ${parsed.error}` });
        failed = true;
      } else value = parsed.value;
    }
    const problem = failed ? undefined : checkValue(info.field, value);
    // A default that fails its check (a required token) was set by no one: say how to set it.
    const unset =
      fromFile === undefined && layers.every(([, raw]) => raw === undefined || raw === '');
    const how = info.env === undefined ? `--${info.flag}` : `${info.env} or --${info.flag}`;
    if (problem !== undefined)
      issues.push({ path: info.path, message: unset ? `${problem} (set ${how})` : problem });
    setPath(out, info.path, value);
  }
  if (issues.length > 0) throw new ConfigError(issues);
  return deepFreeze(out) as ConfigOf<S>;
}
