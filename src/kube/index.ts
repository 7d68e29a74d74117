/**
 * The Kubernetes room's pure side (DESIGN.md §3): the ports other rooms program against (node
 * operations, scale, finalizers, Secrets, TokenReview), the `kube` config spec, how a pod becomes
 * an endpoint, discovery's scope, resource keys and the informers' metrics. Nothing here loads
 * `@kubernetes/client-node`: the clients and every adapter over them are in adapters/index.ts,
 * which only composition roots import, and only when Kubernetes is configured.
 */
export * from './call-options.js';
export * from './kube-metrics.js';
export * from './pod-endpoint.js';
export * from './pod-connection.js';
export * from './discovery-scope.js';
export * from './node-ops.js';
export * from './scale.js';
export * from './kube-config.js';
export * from './token-review.js';
export * from './resource-key.js';
export * from './resource-finalizers.js';
export * from './secret-reader.js';
