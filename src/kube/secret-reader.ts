/**
 * Reading one Secret's data on demand (a ModelAdapter's credentialsSecretRef): the port. Values
 * are credentials: callers pass them on, never log them. The Kubernetes adapter is
 * adapters/k8s-secret-reader.ts.
 */
import type { KubeCallOptions } from './call-options.js';

/** The port. */
export interface SecretReader {
  /** The Secret's data as strings, or undefined when it does not exist. */
  read(
    namespace: string,
    name: string,
    options: KubeCallOptions,
  ): Promise<Readonly<Record<string, string>> | undefined>;
}
