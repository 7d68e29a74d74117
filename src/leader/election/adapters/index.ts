/**
 * Election's Kubernetes adapters: the Lease store and the leader's role label. Only the leader's
 * composition root imports this entry; the election logic itself stays free of Kubernetes.
 */
export * from './k8s-lease-store.js';
export * from './role-label.js';
