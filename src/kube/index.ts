/**
 * The Kubernetes adapters (DESIGN.md §3): clients, informer supervisor, discovery from pods and
 * custom resources, the leader's pod label, node operations, scale, custom resources' status,
 * finalizers and Secrets read on demand, and the `kube` config spec.
 */
export * from './clients.js';
export * from './request.js';
export * from './bounded-watch.js';
export * from './informer-supervisor.js';
export * from './kube-metrics.js';
export * from './pod-endpoint.js';
export * from './pod-connection.js';
export * from './discovery-scope.js';
export * from './k8s-cluster-source.js';
export * from './k8s-secret-watch.js';
export * from './pod-labeler.js';
export * from './node-ops.js';
export * from './k8s-node-ops.js';
export * from './scale.js';
export * from './k8s-scale-client.js';
export * from './k8s-pod-metrics.js';
export * from './kube-config.js';
export * from './k8s-token-review.js';
export * from './resource-key.js';
export * from './k8s-resource-status-store.js';
export * from './resource-finalizers.js';
export * from './secret-reader.js';
export * from './k8s-fleet-cluster-api.js';
