/**
 * A Secret's data through the Kubernetes API: GET of the Secret, bounded by the request timeout,
 * values base64-decoded. Values are credentials: callers pass them on, never log them.
 */
import { hasCode } from '../../shared/index.js';
import type { KubeClients } from './clients.js';
import { decodeSecretData } from './k8s-secret-watch.js';
import { kubeCall } from './request.js';
import type { KubeCallOptions } from '../call-options.js';
import type { SecretReader } from '../secret-reader.js';

export interface K8sSecretReaderOptions {
  readonly clients: KubeClients;
  /** Bound of each request in ms (`kube.requestTimeoutMs`). */
  readonly requestTimeoutMs: number;
}

/** Secrets through the Kubernetes API. */
export class K8sSecretReader implements SecretReader {
  readonly #options: K8sSecretReaderOptions;

  constructor(options: K8sSecretReaderOptions) {
    this.#options = options;
  }

  async read(
    namespace: string,
    name: string,
    options: KubeCallOptions,
  ): Promise<Readonly<Record<string, string>> | undefined> {
    try {
      const secret = await kubeCall(
        `get secret ${namespace}/${name}`,
        { ...options, timeoutMs: this.#options.requestTimeoutMs },
        (o) => this.#options.clients.core.readNamespacedSecret({ namespace, name }, o),
      );
      return decodeSecretData(secret);
    } catch (err) {
      if (hasCode(err, 'K8S_NOT_FOUND')) return undefined;
      throw err;
    }
  }
}
