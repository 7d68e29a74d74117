/**
 * Watches ONE Secret by name in one namespace (the leader's API keys), through an informer under
 * an InformerSupervisor: list and watch with the field selector `metadata.name=<name>`, so RBAC
 * can grant exactly that Secret (`resourceNames`) and no other Secret is ever read. Each change
 * hands the decoded data to the listener; a deleted or absent Secret hands `undefined`.
 */
import type { V1Secret } from '@kubernetes/client-node';
import type { Logger, Runnable } from '../../shared/index.js';
import type { KubeClients } from './clients.js';
import { InformerSupervisor } from './informer-supervisor.js';
import type { SupervisorTuning } from './k8s-cluster-source.js';
import { kubeCall } from './request.js';

/** A Secret's data, base64-decoded to UTF-8 text (`stringData` is write-only, never read back). */
export type SecretData = Readonly<Record<string, string>>;

export interface K8sSecretWatchOptions {
  readonly clients: KubeClients;
  readonly namespace: string;
  readonly name: string;
  readonly log: Logger;
  /** Bound of each list request in ms (`kube.requestTimeoutMs`). */
  readonly requestTimeoutMs: number;
  /** Called after the first list and on every change; `undefined`: no such Secret. */
  readonly onChange: (data: SecretData | undefined) => void;
  /** Restart tuning, with the root's clock and random source. */
  readonly supervisor: SupervisorTuning;
}

/** Decodes a Secret's `data` (base64 values). Pure. */
export function decodeSecretData(secret: V1Secret): SecretData {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(secret.data ?? {}))
    out[key] = Buffer.from(value, 'base64').toString('utf8');
  return out;
}

/** A Runnable that keeps one Secret's decoded data flowing to a listener. */
export class K8sSecretWatch implements Runnable {
  readonly name: string;
  /** Resolves after the first successful list (and its onChange call). */
  readonly synced: Promise<void>;
  readonly #informer: InformerSupervisor<V1Secret>;
  readonly #options: K8sSecretWatchOptions;
  #emitted = false;
  #lastVersion: string | undefined;

  constructor(options: K8sSecretWatchOptions) {
    const { clients, namespace, name, log, requestTimeoutMs: timeoutMs } = options;
    this.#options = options;
    this.name = `secret(${namespace}/${name})`;
    const fieldSelector = `metadata.name=${name}`;
    this.#informer = new InformerSupervisor<V1Secret>({
      ...options.supervisor,
      name: this.name,
      path: `/api/v1/namespaces/${namespace}/secrets`,
      kubeConfig: clients.kubeConfig,
      log,
      fieldSelector,
      list: (signal) =>
        kubeCall(`list ${this.name}`, { signal, timeoutMs }, (o) =>
          clients.core.listNamespacedSecret({ namespace, fieldSelector }, o),
        ),
    });
    this.#informer.onChange(() => this.#emit());
    this.synced = this.#informer.synced.then(() => this.#emit());
  }

  async run(signal: AbortSignal): Promise<void> {
    await this.#informer.run(signal);
  }

  #emit(): void {
    const secret = this.#informer.list().find((s) => s.metadata?.name === this.#options.name);
    // A relist re-reports the same object; hand each version over once.
    const version = secret?.metadata?.resourceVersion;
    if (this.#emitted && version === this.#lastVersion) return;
    this.#emitted = true;
    this.#lastVersion = version;
    this.#options.onChange(secret === undefined ? undefined : decodeSecretData(secret));
  }
}
