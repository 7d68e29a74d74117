/**
 * The Kubernetes adapters: the clients, one way to call the API, the bounded watch and informer
 * supervisor, discovery from pods and custom resources, the leader's pod label, node operations,
 * scale, custom resources' status, finalizers, Secrets and TokenReview. Loading this loads
 * `@kubernetes/client-node` (~0.7 s and ~70 MiB), so composition roots import it only when the
 * config asks for Kubernetes.
 */
export * from './clients.js';
export * from './request.js';
export * from './bounded-watch.js';
export * from './informer-supervisor.js';
export * from './k8s-cluster-source.js';
export * from './k8s-secret-watch.js';
export * from './pod-labeler.js';
export * from './k8s-node-ops.js';
export * from './k8s-scale-client.js';
export * from './k8s-pod-metrics.js';
export * from './k8s-token-review.js';
export * from './k8s-resource-status-store.js';
export * from './k8s-resource-finalizers.js';
export * from './k8s-secret-reader.js';
export * from './k8s-fleet-cluster-api.js';
