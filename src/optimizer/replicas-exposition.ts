/**
 * The optimizer's answer in Prometheus text, as AIBrix's GPU optimizer serves it:
 * `vllm:deployment_replicas{…} N`, one sample per deployment, which a PodAutoscaler `external`
 * source reads as a replica count (its metric name contains "replicas").
 */
import type { DeploymentRecommendation } from './recommend-replicas.js';

/** The metric AIBrix's PodAutoscalers read (aibrix.md §9). */
export const DEPLOYMENT_REPLICAS_METRIC = 'vllm:deployment_replicas';

const escape = (v: string): string =>
  v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');

/** Renders the recommendations that have a number; those without are left out. */
export function renderDeploymentReplicas(
  recommendations: readonly DeploymentRecommendation[],
): string {
  const lines = [
    `# HELP ${DEPLOYMENT_REPLICAS_METRIC} replicas the GPU optimizer recommends for the deployment`,
    `# TYPE ${DEPLOYMENT_REPLICAS_METRIC} gauge`,
  ];
  for (const r of recommendations) {
    if (r.replicas === null) continue;
    const d = r.deployment;
    lines.push(
      `${DEPLOYMENT_REPLICAS_METRIC}{namespace="${escape(d.namespace)}",deployment="${escape(d.name)}",model_name="${escape(d.model)}",gpu="${escape(d.gpu)}"} ${r.replicas}`,
    );
  }
  return `${lines.join('\n')}\n`;
}
