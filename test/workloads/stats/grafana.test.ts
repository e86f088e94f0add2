import { StatsDashboardsProps, StatsDashboards } from '../../../src/workloads/stats';
import { container, envMap, find, newChart, objects, small } from '../../support/synth';

function grafana(overrides: Partial<StatsDashboardsProps> = {}): { all: any[]; construct: StatsDashboards } {
  const chart = newChart();
  const construct = new StatsDashboards(chart, 'grafana', {
    appName: 'picvario',
    tag: '11.3.0',
    resources: small,
    elasticsearch: { url: 'https://stats-es.internal:9200', secretName: 'stats-es-reader' },
    adminSecretName: 'grafana-admin',
    ...overrides,
  });
  return { all: objects(chart), construct };
}

function dashboards(all: any[]): { tenant: any; summary: any } {
  const data = find(all, 'ConfigMap', 'grafana-dashboards').data;
  return { tenant: JSON.parse(data['tenant-report.json']), summary: JSON.parse(data['all-tenants-summary.json']) };
}

function queries(dashboard: any): string[] {
  return dashboard.panels.flatMap((p: any) => p.targets.map((t: any) => t.query));
}

describe('StatsDashboards', () => {
  test('GIVEN default props THEN the rendered objects match the snapshot', () => {
    expect(grafana().all).toMatchSnapshot();
  });

  test('THEN the datasource points at the statistics Elasticsearch with credentials from environment variables', () => {
    const yaml = find(grafana().all, 'ConfigMap', 'grafana-datasources').data['usage-elasticsearch.yaml'];
    expect(yaml).toContain('    uid: picvario-usage-es\n    type: elasticsearch\n');
    expect(yaml).toContain('    url: "https://stats-es.internal:9200"\n');
    expect(yaml).toContain('    basicAuthUser: "${STATS_ES_USER}"\n');
    expect(yaml).toContain('      basicAuthPassword: "${STATS_ES_PASSWORD}"\n');
    expect(yaml).toContain('      index: "picvario-usage-*"\n');
    expect(yaml).toContain('      timeField: "@timestamp"\n');
  });

  test('THEN the credentials and the admin password are Secret references, never values', () => {
    const env = envMap(container(find(grafana({ adminPasswordKey: 'pw', adminUser: 'ops' }).all, 'Deployment', 'grafana')));
    expect(env.GF_SECURITY_ADMIN_PASSWORD).toEqual({ secretKeyRef: { name: 'grafana-admin', key: 'pw' } });
    expect(env.GF_SECURITY_ADMIN_USER).toBe('ops');
    expect(env.STATS_ES_USER).toEqual({ secretKeyRef: { name: 'stats-es-reader', key: 'username' } });
    expect(env.STATS_ES_PASSWORD).toEqual({ secretKeyRef: { name: 'stats-es-reader', key: 'password' } });
    expect(Object.entries(env).filter(([name, v]) => /PASSWORD|_USER$|DATABASE_URL/.test(name) && typeof v === 'string')).toEqual([['GF_SECURITY_ADMIN_USER', 'ops']]);
    expect(env.GF_DATABASE_URL).toBeUndefined();
  });

  test('THEN the tenant report has a tenant variable over the tenant field, and every query filters by it', () => {
    const { tenant } = dashboards(grafana().all);
    expect(tenant.uid).toBe('picvario-usage-tenant');
    expect(tenant.templating.list).toHaveLength(1);
    const variable = tenant.templating.list[0];
    expect(variable).toMatchObject({ name: 'tenant', type: 'query', multi: false, includeAll: false });
    expect(JSON.parse(variable.query)).toEqual({ find: 'terms', field: 'tenant', size: 1000 });
    expect(variable.datasource).toEqual({ type: 'elasticsearch', uid: 'picvario-usage-es' });
    const all = queries(tenant);
    expect(all.length).toBeGreaterThanOrEqual(8);
    for (const q of all) expect(q).toMatch(/^tenant:\$tenant( AND |$)/);
    expect(tenant.panels.map((p: any) => p.title)).toEqual(expect.arrayContaining(['Uploads', 'Downloads', 'Storage used', 'Daily active users']));
  });

  test('THEN the summary has no tenant filter and ranks tenants by usage', () => {
    const { summary } = dashboards(grafana().all);
    expect(summary.uid).toBe('picvario-usage-summary');
    expect(summary.templating.list).toEqual([]);
    for (const q of queries(summary)) expect(q).not.toMatch(/tenant/);
    const top = summary.panels.filter((p: any) => p.title.startsWith('Top tenants'));
    expect(top).toHaveLength(3);
    for (const panel of top) {
      expect(panel.targets[0].bucketAggs[0]).toMatchObject({ type: 'terms', field: 'tenant', settings: { order: 'desc', size: '10' } });
    }
  });

  test('THEN both dashboards use the provisioned datasource uid and are rendered deterministically', () => {
    const a = dashboards(grafana().all);
    for (const d of [a.tenant, a.summary]) {
      const refs = [...d.panels.map((p: any) => p.datasource), ...d.panels.flatMap((p: any) => p.targets.map((t: any) => t.datasource))];
      expect(new Set(refs.map((r: any) => JSON.stringify(r)))).toEqual(new Set([JSON.stringify({ type: 'elasticsearch', uid: 'picvario-usage-es' })]));
      expect(new Set(d.panels.map((p: any) => p.id)).size).toBe(d.panels.length);
    }
    expect(find(grafana().all, 'ConfigMap', 'grafana-dashboards')).toEqual(find(grafana().all, 'ConfigMap', 'grafana-dashboards'));
  });

  test('THEN the provisioning ConfigMaps are mounted where Grafana reads them, and data is a per-pod emptyDir', () => {
    const all = grafana().all;
    const spec = find(all, 'Deployment', 'grafana').spec.template.spec;
    expect(spec.containers[0].volumeMounts).toEqual([
      { name: 'tmp', mountPath: '/tmp' },
      { name: 'data', mountPath: '/var/lib/grafana' },
      { name: 'datasources', mountPath: '/etc/grafana/provisioning/datasources', readOnly: true },
      { name: 'dashboard-providers', mountPath: '/etc/grafana/provisioning/dashboards', readOnly: true },
      { name: 'dashboards', mountPath: '/etc/grafana/dashboards/usage', readOnly: true },
    ]);
    expect(spec.volumes.filter((v: any) => v.configMap).map((v: any) => v.configMap.name)).toEqual(['grafana-datasources', 'grafana-dashboard-providers', 'grafana-dashboards']);
    expect(spec.volumes.filter((v: any) => !v.emptyDir && !v.configMap)).toEqual([]);
    const provider = find(all, 'ConfigMap', 'grafana-dashboard-providers').data['usage-dashboards.yaml'];
    expect(provider).toContain('    type: file\n');
    expect(provider).toContain('      path: /etc/grafana/dashboards/usage\n');
    expect(envMap(spec.containers[0]).GF_PATHS_DATA).toBe('/var/lib/grafana');
  });

  test('THEN the container has the restricted security context as the platform uid (10001), not the low uid of the image', () => {
    const spec = find(grafana().all, 'Deployment', 'grafana').spec.template.spec;
    for (const c of spec.containers) {
      expect(c.securityContext).toEqual({
        allowPrivilegeEscalation: false,
        privileged: false,
        readOnlyRootFilesystem: true,
        runAsNonRoot: true,
        runAsUser: 10001,
        runAsGroup: 10001,
        capabilities: { drop: ['ALL'] },
        seccompProfile: { type: 'RuntimeDefault' },
      });
    }
    expect(spec.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 10001, fsGroup: 10001 });
  });

  test('THEN probes hit /api/health and the Service selects the pods on port 3000', () => {
    const all = grafana().all;
    const c = container(find(all, 'Deployment', 'grafana'));
    for (const probe of [c.readinessProbe, c.startupProbe]) expect(probe.httpGet).toEqual({ path: '/api/health', port: 'http' });
    expect(c.livenessProbe.tcpSocket).toEqual({ port: 'http' });
    const service = find(all, 'Service', 'grafana');
    expect(service.spec.ports).toEqual([{ name: 'http', port: 3000, targetPort: 'http', protocol: 'TCP' }]);
    expect(service.spec.selector).toEqual(find(all, 'Deployment', 'grafana').spec.selector.matchLabels);
  });

  test('THEN the checksum annotation changes when a provisioned file changes', () => {
    const checksumOf = (all: any[]) => find(all, 'Deployment', 'grafana').spec.template.metadata.annotations['checksum/config'];
    const a = grafana();
    expect(checksumOf(a.all)).toMatch(/^[0-9a-f]{64}$/);
    expect(checksumOf(a.all)).toBe(a.construct.configChecksum);
    expect(checksumOf(grafana().all)).toBe(checksumOf(a.all));
    expect(checksumOf(grafana({ indexPattern: 'usage-*' }).all)).not.toBe(checksumOf(a.all));
    expect(checksumOf(grafana({ elasticsearch: { url: 'https://es2:9200', secretName: 'stats-es-reader' } }).all)).not.toBe(checksumOf(a.all));
  });

  test('GIVEN a database Secret and two replicas THEN GF_DATABASE_URL is a Secret reference and a PDB keeps one', () => {
    const all = grafana({ databaseSecretName: 'grafana-db', replicas: 2 }).all;
    const d = find(all, 'Deployment', 'grafana');
    expect(d.spec.replicas).toBe(2);
    expect(envMap(container(d)).GF_DATABASE_URL).toEqual({ secretKeyRef: { name: 'grafana-db', key: 'database-url' } });
    expect(find(all, 'PodDisruptionBudget', 'grafana').spec.minAvailable).toBe(1);
    expect(grafana().all.filter((o) => o.kind === 'PodDisruptionBudget')).toEqual([]);
  });

  test('GIVEN a root URL with a path THEN Grafana serves from the sub-path', () => {
    const env = envMap(container(find(grafana({ rootUrl: 'https://app.example.com/stats/' }).all, 'Deployment', 'grafana')));
    expect(env.GF_SERVER_ROOT_URL).toBe('https://app.example.com/stats/');
    expect(env.GF_SERVER_SERVE_FROM_SUB_PATH).toBe('true');
    const plain = envMap(container(find(grafana({ rootUrl: 'https://stats.example.com/' }).all, 'Deployment', 'grafana')));
    expect(plain.GF_SERVER_SERVE_FROM_SUB_PATH).toBeUndefined();
  });

  test('THEN the public properties describe what a NetworkPolicy needs', () => {
    const { construct } = grafana({ name: 'usage-grafana', port: 3001 });
    expect([construct.name, construct.port, construct.serviceUrl]).toEqual(['usage-grafana', 3001, 'http://usage-grafana:3001']);
    expect(construct.selectorLabels['app.kubernetes.io/component']).toBe('usage-grafana');
    expect([construct.elasticsearchHost, construct.elasticsearchPort]).toEqual(['stats-es.internal', 9200]);
    expect([construct.datasourceUid, construct.tenantDashboardUid, construct.summaryDashboardUid]).toEqual(['picvario-usage-es', 'picvario-usage-tenant', 'picvario-usage-summary']);
  });

  test('GIVEN an app and no names THEN the datasource, the dashboards and their tags are named after the app', () => {
    const { all, construct } = grafana({ appName: 'shop' });
    expect([construct.datasourceUid, construct.tenantDashboardUid, construct.summaryDashboardUid, construct.indexPattern])
      .toEqual(['shop-usage-es', 'shop-usage-tenant', 'shop-usage-summary', 'shop-usage-*']);
    const yaml = find(all, 'ConfigMap', 'grafana-datasources').data['usage-elasticsearch.yaml'];
    expect(yaml).toContain('    uid: shop-usage-es\n');
    expect(yaml).toContain('      index: "shop-usage-*"\n');
    const { tenant, summary } = dashboards(all);
    expect([tenant.uid, summary.uid]).toEqual(['shop-usage-tenant', 'shop-usage-summary']);
    for (const d of [tenant, summary]) {
      expect(d.tags).toEqual(['shop', 'usage']);
      expect(new Set(d.panels.map((p: any) => p.datasource.uid))).toEqual(new Set(['shop-usage-es']));
    }
  });

  test('GIVEN names of its own (as Picvario pins them) THEN they win over the app-derived defaults', () => {
    const { all, construct } = grafana({
      appName: 'shop',
      indexPattern: 'picvario-usage-*',
      datasourceUid: 'picvario-usage-es',
      tenantDashboardUid: 'picvario-usage-tenant',
      summaryDashboardUid: 'picvario-usage-summary',
      dashboardTags: ['picvario', 'usage'],
    });
    expect([construct.datasourceUid, construct.tenantDashboardUid, construct.summaryDashboardUid, construct.indexPattern])
      .toEqual(['picvario-usage-es', 'picvario-usage-tenant', 'picvario-usage-summary', 'picvario-usage-*']);
    const { tenant, summary } = dashboards(all);
    expect([tenant.uid, summary.uid, tenant.tags, summary.tags]).toEqual(['picvario-usage-tenant', 'picvario-usage-summary', ['picvario', 'usage'], ['picvario', 'usage']]);
    expect(tenant.templating.list[0].datasource.uid).toBe('picvario-usage-es');
    expect(Object.values(find(all, 'ConfigMap', 'grafana-dashboards').data).join('\n')).not.toContain('shop');
  });

  test('GIVEN a datasource uid YAML would read as a number or a boolean THEN it is quoted in the datasource file', () => {
    const yamlOf = (datasourceUid: string) => find(grafana({ datasourceUid }).all, 'ConfigMap', 'grafana-datasources').data['usage-elasticsearch.yaml'];
    expect(yamlOf('123')).toContain('    uid: "123"\n');
    expect(yamlOf('no')).toContain('    uid: "no"\n');
    expect(yamlOf('usage_es')).toContain('    uid: usage_es\n');
  });

  test('GIVEN an app name too long for the derived dashboard uid THEN synth fails naming the uid to set', () => {
    expect(() => grafana({ appName: 'a'.repeat(30) })).toThrow(/^StatsDashboards 'test\/grafana': tenantDashboardUid must be a Grafana uid .*; got "a{30}-usage-tenant"$/);
    expect(() => grafana({ appName: 'a'.repeat(30), tenantDashboardUid: 'usage-tenant', summaryDashboardUid: 'usage-summary' })).not.toThrow();
  });

  test.each([
    [{ datasourceUid: 'usage es' }, /datasourceUid must be a Grafana uid \(letters, digits, "-" and "_", 1 to 40 characters/],
    [{ datasourceUid: '' }, /datasourceUid must be a Grafana uid/],
    [{ tenantDashboardUid: 'x'.repeat(41) }, /tenantDashboardUid must be a Grafana uid/],
    [{ summaryDashboardUid: 'usage/summary' }, /summaryDashboardUid must be a Grafana uid/],
    [{ tenantDashboardUid: 'usage', summaryDashboardUid: 'usage' }, /summaryDashboardUid must be a uid other than tenantDashboardUid \(usage\)/],
    [{ dashboardTags: [''] }, /dashboardTags must be a list of distinct tags of 1 to 50 printable characters; got \[""\]/],
    [{ dashboardTags: ['x'.repeat(51)] }, /dashboardTags must be a list of distinct tags/],
    [{ dashboardTags: ['usage', 'usage'] }, /dashboardTags must be a list of distinct tags/],
    [{ dashboardTags: 'usage' }, /dashboardTags must be a list of distinct tags/],
    [{ appName: 'Shop' }, /appName must be a DNS-1035 label/],
    [{ elasticsearch: { url: 'not a url', secretName: 'r' } }, /elasticsearch\.url must be an http\(s\) URL/],
    [{ elasticsearch: { url: 'https://u:p@stats-es:9200', secretName: 'r' } }, /elasticsearch\.url must be an http\(s\) URL/],
    [{ elasticsearch: { url: 'https://stats-es:9200', secretName: 'r', passwordKey: '' } }, /elasticsearch\.passwordKey must be a Secret key/],
    [{ adminSecretName: '' }, /adminSecretName must be the name of an existing Secret/],
    [{ adminPasswordKey: '' }, /adminPasswordKey must be a Secret key/],
    [{ adminUser: 'ad min' }, /adminUser must be a login/],
    [{ databaseUrlKey: 'url' }, /databaseSecretName must be set when databaseUrlKey is set/],
    [{ databaseSecretName: 'grafana-db', databaseUrlKey: '' }, /databaseUrlKey must be a Secret key/],
    [{ port: 0 }, /port must be an integer from 1024 to 65535; got 0/],
    [{ port: 70000 }, /port must be an integer from 1024 to 65535; got 70000/],
    [{ replicas: 0 }, /replicas must be an integer from 1 to 10; got 0/],
    [{ replicas: 2 }, /replicas must be 1 unless databaseSecretName is set/],
    [{ indexPattern: 'Usage-*' }, /indexPattern must be a lowercase Elasticsearch index name or wildcard/],
    [{ indexPattern: 'usage-${X}' }, /indexPattern must be a lowercase Elasticsearch index name or wildcard/],
    [{ rootUrl: 'stats.example.com' }, /rootUrl must be an http\(s\) URL/],
    [{ tag: 'latest' }, /tag must be an immutable image tag/],
  ])('GIVEN bad props %j THEN synth fails with a message naming StatsDashboards and the field', (overrides, message) => {
    expect(() => grafana(overrides as Partial<StatsDashboardsProps>)).toThrow(message);
    expect(() => grafana(overrides as Partial<StatsDashboardsProps>)).toThrow(/^StatsDashboards 'test\/grafana': /);
  });
});
