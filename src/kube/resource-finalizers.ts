/**
 * Finalizers on custom resources: the port a controller uses to hold an object's deletion until
 * it has cleaned up (the ModelAdapter controller unloads the adapter everywhere first), and the
 * pure list edit. The Kubernetes adapter is adapters/k8s-resource-finalizers.ts.
 */
import type { KubeCallOptions } from './call-options.js';

/** The port: add or remove one finalizer of a `<namespace>/<name>` object. */
export interface ResourceFinalizers {
  /** Adds `finalizer` unless present. False when nothing changed or the object is gone. */
  add(key: string, finalizer: string, options: KubeCallOptions): Promise<boolean>;
  /** Removes `finalizer` if present. False when nothing changed or the object is gone. */
  remove(key: string, finalizer: string, options: KubeCallOptions): Promise<boolean>;
}

/** The finalizer list after the edit, or undefined when it would not change. */
export function editFinalizers(
  current: readonly string[],
  finalizer: string,
  present: boolean,
): string[] | undefined {
  const has = current.includes(finalizer);
  if (has === present) return undefined;
  return present ? [...current, finalizer] : current.filter((f) => f !== finalizer);
}
