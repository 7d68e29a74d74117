/**
 * The config spec (config.ts): a tree of typed fields with their docs, defaults and bounds, the
 * builders that declare them, and each field's resolved flag and environment names, from which
 * `--help`, the README config tables and the loader all read.
 */

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
