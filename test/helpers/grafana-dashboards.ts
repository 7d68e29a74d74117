/**
 * The Grafana dashboards in deploy/grafana, read for tests: each panel's PromQL expressions, and
 * a form of them Prometheus parses (Grafana's template variables given concrete values).
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

/** The repository's deploy/grafana directory. */
export const GRAFANA_DIR = join(import.meta.dirname, '../../deploy/grafana');

/** A dashboard panel as the tests read it (rows included, with no targets). */
export interface DashboardPanel {
  readonly id: number;
  readonly type: string;
  readonly title: string;
  readonly description?: string;
  readonly datasource?: { readonly type: string; readonly uid: string };
  readonly targets?: readonly {
    readonly expr: string;
    readonly datasource?: { readonly uid: string };
  }[];
}

/** A dashboard file, parsed. */
export interface Dashboard {
  readonly file: string;
  readonly uid: string;
  readonly title: string;
  readonly templating: {
    readonly list: readonly { readonly name: string; readonly type: string }[];
  };
  readonly panels: readonly DashboardPanel[];
}

/** Every dashboard in deploy/grafana. */
export function readDashboards(): Dashboard[] {
  return readdirSync(GRAFANA_DIR)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((file) => ({
      file,
      ...(JSON.parse(readFileSync(join(GRAFANA_DIR, file), 'utf8')) as Omit<Dashboard, 'file'>),
    }));
}

/** One PromQL expression of a panel, with where it comes from. */
export interface PanelExpr {
  readonly where: string;
  readonly expr: string;
}

/** Every panel expression of the dashboards. */
export function panelExprs(dashboards: readonly Dashboard[]): PanelExpr[] {
  return dashboards.flatMap((d) =>
    d.panels.flatMap((p) =>
      (p.targets ?? []).map((t) => ({ where: `${d.file} / ${p.title}`, expr: t.expr })),
    ),
  );
}

/**
 * The expression as Prometheus receives it from Grafana: `$__rate_interval` a duration,
 * multi-value variables a regex.
 */
export function withVariables(expr: string): string {
  return expr
    .replaceAll('$__rate_interval', '5m')
    .replaceAll('$__interval', '1m')
    .replace(/\$\{?node\}?/g, '.*');
}
