/**
 * The Kubernetes clients a process needs, built once in main from one KubeConfig and passed down
 * (no module builds its own client).
 */
import {
  AppsV1Api,
  AuthenticationV1Api,
  CoordinationV1Api,
  CoreV1Api,
  CustomObjectsApi,
  KubeConfig,
} from '@kubernetes/client-node';
import { AppError } from '../../shared/index.js';

/** The typed API clients infernode uses, sharing one KubeConfig. */
export interface KubeClients {
  readonly kubeConfig: KubeConfig;
  readonly core: CoreV1Api;
  readonly apps: AppsV1Api;
  /** TokenReview: the leader checks agents' ServiceAccount tokens with it. */
  readonly authentication: AuthenticationV1Api;
  readonly coordination: CoordinationV1Api;
  readonly custom: CustomObjectsApi;
}

/** Builds the clients from a KubeConfig (see {@link loadKubeConfig}). Makes no request. */
export function createKubeClients(kubeConfig: KubeConfig): KubeClients {
  return {
    kubeConfig,
    core: kubeConfig.makeApiClient(CoreV1Api),
    apps: kubeConfig.makeApiClient(AppsV1Api),
    authentication: kubeConfig.makeApiClient(AuthenticationV1Api),
    coordination: kubeConfig.makeApiClient(CoordinationV1Api),
    custom: kubeConfig.makeApiClient(CustomObjectsApi),
  };
}

/**
 * The KubeConfig of this process: the pod's service account when running in a cluster
 * (KUBERNETES_SERVICE_HOST set), else $KUBECONFIG or ~/.kube/config. Throws K8S_UNAVAILABLE when
 * none is found.
 */
export function loadKubeConfig(): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromDefault();
  const cluster = kc.getCurrentCluster();
  // With nothing configured, client-node silently falls back to http://localhost:8080.
  const fallback =
    cluster?.name === 'cluster' &&
    cluster.server === 'http://localhost:8080' &&
    kc.getCurrentUser()?.name === 'user';
  if (cluster === null || fallback)
    throw new AppError(
      'K8S_UNAVAILABLE',
      'no Kubernetes cluster configured: not in a pod (no service account) and no KUBECONFIG or ~/.kube/config',
    );
  return kc;
}
