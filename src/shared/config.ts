/**
 * Typed configuration (STYLE.md §14): a spec tree of fields, merged as defaults < file < env <
 * flags, validated once with every problem reported together, then frozen. The same spec renders
 * each subcommand's `--help` and the README config tables, so the three never drift apart.
 */
import { ConfigError, type ConfigIssue } from './errors.js';

type Kind = 'int' | 'number' | 'string' | 'bool' | 'list';

export interface FieldBase<K extends Kind, T> {
  readonly kind: K;
  readonly doc: string;
  readonly default: T;
  /** Flag name without dashes; default: the kebab-case of the dotted path. */
  readonly flag?: string;
  /** Environment variable; default: INFERNODE_<PREFIX>_<PATH>. `false` disables it. */
  readonly env?: string | false;
  readonly min?: number;
  readonly max?: number;
  /** Allowed values for string fields. */
  readonly oneOf?: readonly string[];
  /** An extra check; returns a message when the value is wrong. */
  readonly check?: (value: T) => string | undefined;
}

export type Field =
  | FieldBase<'int', number>
  | FieldBase<'number', number>
  | FieldBase<'string', string>
  | FieldBase<'bool', boolean>
  | FieldBase<'list', readonly string[]>;

export interface Spec {
  readonly [key: string]: Field | Spec;
}

/** The typed value a spec produces. */
export type ConfigOf<S extends Spec> = {
  readonly [K in keyof S]: S[K] extends Field
    ? S[K]['default']
    : S[K] extends Spec
      ? ConfigOf<S[K]>
      : never;
};

type Opts<T> = Omit<FieldBase<Kind, T>, 'kind' | 'default' | 'doc'>;
/** An integer field. */
export const int = (def: number, doc: string, o: Opts<number> = {}): FieldBase<'int', number> => ({
  kind: 'int',
  default: def,
  doc,
  ...o,
});
/** A number field. */
export const num = (
  def: number,
  doc: string,
  o: Opts<number> = {},
): FieldBase<'number', number> => ({ kind: 'number', default: def, doc, ...o });
/** A string field (`oneOf` restricts it). */
export const str = (
  def: string,
  doc: string,
  o: Opts<string> = {},
): FieldBase<'string', string> => ({ kind: 'string', default: def, doc, ...o });
/** A boolean field (`--flag` / `--no-flag`). */
export const bool = (
  def: boolean,
  doc: string,
  o: Opts<boolean> = {},
): FieldBase<'bool', boolean> => ({ kind: 'bool', default: def, doc, ...o });
/** A list of strings (comma-separated on the command line and in env). */
export const list = (
  def: readonly string[],
  doc: string,
  o: Opts<readonly string[]> = {},
): FieldBase<'list', readonly string[]> => ({
  kind: 'list',
  default: def,
  doc,
  ...o,
});

function isField(node: Field | Spec): node is Field {
  return typeof (node as Field).kind === 'string' && 'doc' in node;
}

/** One field with its resolved names, for help text and docs. */
export interface FieldInfo {
  readonly path: string;
  readonly flag: string;
  readonly env: string | undefined;
  readonly field: Field;
}

const kebab = (path: string): string =>
  path.replace(/\./g, '-').replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
const snake = (path: string): string =>
  path
    .replace(/\./g, '_')
    .replace(/[A-Z]/g, (c) => `_${c}`)
    .toUpperCase();

/** Lists every field of a spec with its flag and env names. */
export function describeSpec(spec: Spec, envPrefix: string, base = ''): FieldInfo[] {
  const out: FieldInfo[] = [];
  for (const [key, node] of Object.entries(spec)) {
    const path = base === '' ? key : `${base}.${key}`;
    if (isField(node)) {
      const env =
        node.env === false ? undefined : (node.env ?? `INFERNODE_${envPrefix}_${snake(path)}`);
      out.push({ path, flag: node.flag ?? kebab(path), env, field: node });
    } else {
      out.push(...describeSpec(node, envPrefix, path));
    }
  }
  return out;
}

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
