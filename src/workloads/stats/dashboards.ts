/**
 * The two usage dashboards, built as plain objects so the rendered JSON is deterministic
 * and reviewable. Field names follow the event contract: tenant, event, bytes, user, @timestamp.
 */

/** What names a dashboard and ties it to its datasource. */
export interface DashboardIdentity {
  /** The dashboard's uid. */
  readonly uid: string;
  /** The uid of the Elasticsearch datasource every panel queries. */
  readonly datasourceUid: string;
  /** The dashboard's tags. */
  readonly tags: string[];
}

/** Lucene filter every query of the tenant report starts with. */
export const TENANT_FILTER = 'tenant:$tenant';

interface DatasourceRef {
  readonly type: 'elasticsearch';
  readonly uid: string;
}

type Metric =
  | { id: string; type: 'count' }
  | { id: string; type: 'sum' | 'max' | 'cardinality'; field: string };

interface Panel {
  readonly title: string;
  readonly type: 'stat' | 'timeseries' | 'table';
  readonly description?: string;
  readonly unit?: string;
  readonly calc?: 'sum' | 'lastNotNull' | 'max';
  readonly targets: Target[];
  readonly w: number;
  readonly h: number;
}

interface Target {
  readonly query: string;
  readonly metric: Metric;
  readonly alias?: string;
  /** Group by a field (terms aggregation), ordered by the metric, top `size`. */
  readonly termsField?: string;
  readonly size?: number;
  /** Leave out the date histogram: one row per term over the whole time range (tables). */
  readonly noHistogram?: boolean;
  /** Fixed histogram interval, e.g. `1d` for daily distinct counts. */
  readonly interval?: string;
}

const UPLOAD = 'event:upload';
const DOWNLOAD = 'event:download';
const STORAGE = 'event:storage';

function and(...parts: string[]): string {
  return parts.filter((p) => p).join(' AND ');
}

function renderTarget(ds: DatasourceRef, target: Target, refId: string): object {
  const bucketAggs: object[] = [];
  if (target.termsField) {
    bucketAggs.push({
      id: '2',
      type: 'terms',
      field: target.termsField,
      settings: { min_doc_count: '1', order: 'desc', orderBy: target.metric.type === 'count' ? '_count' : target.metric.id, size: String(target.size ?? 10) },
    });
  }
  if (!target.noHistogram) {
    bucketAggs.push({ id: '3', type: 'date_histogram', field: '@timestamp', settings: { interval: target.interval ?? 'auto', min_doc_count: '0' } });
  }
  return {
    refId,
    datasource: ds,
    queryType: 'metrics',
    query: target.query,
    alias: target.alias ?? '',
    metrics: [target.metric],
    bucketAggs,
    timeField: '@timestamp',
  };
}

function renderPanels(ds: DatasourceRef, panels: Panel[]): object[] {
  let x = 0;
  let y = 0;
  let rowHeight = 0;
  return panels.map((panel, index) => {
    if (x + panel.w > 24) {
      x = 0;
      y += rowHeight;
      rowHeight = 0;
    }
    const gridPos = { h: panel.h, w: panel.w, x, y };
    x += panel.w;
    rowHeight = Math.max(rowHeight, panel.h);
    const options = panel.type === 'stat'
      ? { reduceOptions: { calcs: [panel.calc ?? 'sum'], fields: '', values: false }, colorMode: 'value', graphMode: 'area', textMode: 'auto' }
      : panel.type === 'table'
        ? { showHeader: true, footer: { show: false } }
        : { legend: { displayMode: 'list', placement: 'bottom', showLegend: true }, tooltip: { mode: 'multi', sort: 'desc' } };
    return {
      id: index + 1,
      type: panel.type,
      title: panel.title,
      description: panel.description ?? '',
      datasource: ds,
      gridPos,
      fieldConfig: { defaults: { unit: panel.unit ?? 'short' }, overrides: [] },
      options,
      targets: panel.targets.map((t, i) => renderTarget(ds, t, String.fromCharCode(65 + i))),
    };
  });
}

function dashboard(id: DashboardIdentity, title: string, description: string, ds: DatasourceRef, panels: Panel[], variables: object[]): object {
  return {
    uid: id.uid,
    title,
    description,
    tags: [...id.tags],
    editable: false,
    graphTooltip: 1,
    schemaVersion: 39,
    version: 1,
    timezone: 'browser',
    time: { from: 'now-30d', to: 'now' },
    refresh: '',
    annotations: { list: [] },
    links: [],
    templating: { list: variables },
    panels: renderPanels(ds, panels),
  };
}

/**
 * The tenant-admin report: one tenant at a time, chosen with the `tenant` variable, and
 * every query filtered by `tenant:$tenant`.
 */
export function tenantDashboard(id: DashboardIdentity): object {
  const ds: DatasourceRef = { type: 'elasticsearch', uid: id.datasourceUid };
  const tenantQuery = JSON.stringify({ find: 'terms', field: 'tenant', size: 1000 });
  const tenantVariable = {
    name: 'tenant',
    label: 'Tenant',
    type: 'query',
    datasource: ds,
    query: tenantQuery,
    definition: tenantQuery,
    refresh: 2,
    sort: 1,
    multi: false,
    includeAll: false,
    hide: 0,
    regex: '',
    options: [],
    current: {},
  };
  const panels: Panel[] = [
    { title: 'Uploads', type: 'stat', w: 6, h: 4, targets: [{ query: and(TENANT_FILTER, UPLOAD), metric: { id: '1', type: 'count' } }] },
    { title: 'Downloads', type: 'stat', w: 6, h: 4, targets: [{ query: and(TENANT_FILTER, DOWNLOAD), metric: { id: '1', type: 'count' } }] },
    { title: 'Uploaded', type: 'stat', unit: 'bytes', w: 6, h: 4, targets: [{ query: and(TENANT_FILTER, UPLOAD), metric: { id: '1', type: 'sum', field: 'bytes' } }] },
    {
      title: 'Storage used',
      type: 'stat',
      unit: 'bytes',
      calc: 'lastNotNull',
      w: 6,
      h: 4,
      description: 'The latest `storage` snapshot the backend reported for this tenant.',
      targets: [{ query: and(TENANT_FILTER, STORAGE), metric: { id: '1', type: 'max', field: 'bytes' } }],
    },
    {
      title: 'Uploads and downloads',
      type: 'timeseries',
      w: 12,
      h: 8,
      targets: [
        { query: and(TENANT_FILTER, UPLOAD), metric: { id: '1', type: 'count' }, alias: 'uploads' },
        { query: and(TENANT_FILTER, DOWNLOAD), metric: { id: '1', type: 'count' }, alias: 'downloads' },
      ],
    },
    {
      title: 'Bytes transferred',
      type: 'timeseries',
      unit: 'bytes',
      w: 12,
      h: 8,
      targets: [
        { query: and(TENANT_FILTER, UPLOAD), metric: { id: '1', type: 'sum', field: 'bytes' }, alias: 'uploaded' },
        { query: and(TENANT_FILTER, DOWNLOAD), metric: { id: '1', type: 'sum', field: 'bytes' }, alias: 'downloaded' },
      ],
    },
    {
      title: 'Storage used over time',
      type: 'timeseries',
      unit: 'bytes',
      w: 12,
      h: 8,
      targets: [{ query: and(TENANT_FILTER, STORAGE), metric: { id: '1', type: 'max', field: 'bytes' }, alias: 'storage' }],
    },
    {
      title: 'Daily active users',
      type: 'timeseries',
      w: 12,
      h: 8,
      targets: [{ query: TENANT_FILTER, metric: { id: '1', type: 'cardinality', field: 'user' }, alias: 'active users', interval: '1d' }],
    },
    {
      title: 'Most active users',
      type: 'table',
      w: 24,
      h: 8,
      targets: [{ query: TENANT_FILTER, metric: { id: '1', type: 'count' }, termsField: 'user', size: 20, noHistogram: true }],
    },
  ];
  return dashboard(id, 'Usage: tenant report',
    'Usage of one tenant. The tenant variable is a view filter, not an access boundary.', ds, panels, [tenantVariable]);
}

/** The app-admin summary: all tenants together, and the top tenants by usage. No tenant filter. */
export function summaryDashboard(id: DashboardIdentity): object {
  const ds: DatasourceRef = { type: 'elasticsearch', uid: id.datasourceUid };
  const panels: Panel[] = [
    { title: 'Uploads (all tenants)', type: 'stat', w: 6, h: 4, targets: [{ query: UPLOAD, metric: { id: '1', type: 'count' } }] },
    { title: 'Downloads (all tenants)', type: 'stat', w: 6, h: 4, targets: [{ query: DOWNLOAD, metric: { id: '1', type: 'count' } }] },
    { title: 'Uploaded (all tenants)', type: 'stat', unit: 'bytes', w: 6, h: 4, targets: [{ query: UPLOAD, metric: { id: '1', type: 'sum', field: 'bytes' } }] },
    {
      title: 'Active tenants per day',
      type: 'stat',
      calc: 'max',
      w: 6,
      h: 4,
      targets: [{ query: '*', metric: { id: '1', type: 'cardinality', field: 'tenant' }, interval: '1d' }],
    },
    {
      title: 'Uploads by tenant (top 10)',
      type: 'timeseries',
      w: 12,
      h: 9,
      targets: [{ query: UPLOAD, metric: { id: '1', type: 'count' }, termsField: 'tenant', size: 10 }],
    },
    {
      title: 'Daily active users (all tenants)',
      type: 'timeseries',
      w: 12,
      h: 9,
      targets: [{ query: '*', metric: { id: '1', type: 'cardinality', field: 'user' }, alias: 'active users', interval: '1d' }],
    },
    {
      title: 'Top tenants by uploaded bytes',
      type: 'table',
      unit: 'bytes',
      w: 8,
      h: 10,
      targets: [{ query: UPLOAD, metric: { id: '1', type: 'sum', field: 'bytes' }, termsField: 'tenant', size: 10, noHistogram: true }],
    },
    {
      title: 'Top tenants by downloads',
      type: 'table',
      w: 8,
      h: 10,
      targets: [{ query: DOWNLOAD, metric: { id: '1', type: 'count' }, termsField: 'tenant', size: 10, noHistogram: true }],
    },
    {
      title: 'Top tenants by storage used',
      type: 'table',
      unit: 'bytes',
      w: 8,
      h: 10,
      description: 'The largest `storage` snapshot of each tenant in the time range.',
      targets: [{ query: STORAGE, metric: { id: '1', type: 'max', field: 'bytes' }, termsField: 'tenant', size: 10, noHistogram: true }],
    },
  ];
  return dashboard(id, 'Usage: all tenants', 'Usage across every tenant, for application administrators.', ds, panels, []);
}
