/**
 * Validation of custom resources against rendered CRDs, as the API server does it: the OpenAPI
 * schema (ajv), the CEL rules (crd-cel.ts mirrors), and the fields it would prune.
 */
import { Ajv } from 'ajv';
import { celViolations, type Schema } from './crd-cel.js';
import type { Manifest } from './kustomize-lite.js';

type Obj = Record<string, unknown>;

/** Schema lookup and problem finding over a set of rendered CRDs. */
export function crdValidation(crds: readonly Manifest[]): {
  readonly crdSchema: (kind: string) => Schema;
  readonly crProblems: (cr: Manifest) => string[];
} {
  const crdSchema = (kind: string): Schema => {
    const crd = crds.find((c) => (c.spec as { names: { kind: string } }).names.kind === kind)!;
    return (crd.spec as { versions: { schema: { openAPIV3Schema: Schema } }[] }).versions[0]!.schema
      .openAPIV3Schema;
  };
  const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });
  /** Problems of a custom resource: schema errors and broken CEL rules (which may read metadata). */
  const crProblems = (cr: Manifest): string[] => {
    const schema = crdSchema(cr.kind);
    const validate = ajv.compile(schema);
    const rest: Obj = { ...cr };
    delete rest.metadata;
    const errors = validate(rest)
      ? []
      : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message ?? ''}`);
    return [...errors, ...celViolations(schema, cr)];
  };
  return { crdSchema, crProblems };
}

/** Paths of `data` the schema does not declare (what the API server would prune). */
export function unknownFields(schema: Schema, data: unknown, path = ''): string[] {
  if (data === null || typeof data !== 'object') return [];
  if (Array.isArray(data))
    return data.flatMap((d, i) => unknownFields(schema.items ?? {}, d, `${path}[${i}]`));
  const props = schema.properties;
  if (props === undefined) return [];
  return Object.entries(data as Obj).flatMap(([k, v]) =>
    props[k] === undefined
      ? k === 'metadata' && path === ''
        ? []
        : [`${path}.${k}`]
      : unknownFields(props[k], v, `${path}.${k}`),
  );
}
