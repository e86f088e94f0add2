import { IndexTemplateManagement, StatsShipperProps, StatsShipper } from '../../../src/workloads/stats';
import { container, envMap, find, newChart, objects } from '../../support/synth';

const logstashResources = { cpuRequest: '250m', cpuLimit: '1', memoryRequest: '1Gi', memoryLimit: '1Gi' };

function shipper(overrides: Partial<StatsShipperProps> = {}): { all: any[]; construct: StatsShipper } {
  const chart = newChart();
  const construct = new StatsShipper(chart, 'shipper', {
    appName: 'picvario',
    tag: '8.15.3',
    resources: logstashResources,
    elasticsearch: { url: 'https://stats-es.internal:9200', secretName: 'stats-es-writer' },
    ...overrides,
  });
  return { all: objects(chart), construct };
}

function pipelineData(all: any[]): Record<string, string> {
  return find(all, 'ConfigMap', 'stats-shipper-pipeline').data;
}

describe('StatsShipper', () => {
  test('GIVEN default props THEN the rendered objects match the snapshot', () => {
    expect(shipper().all).toMatchSnapshot();
  });

  test('THEN the pipeline reads the HTTP input, guarantees a tenant and writes to the statistics Elasticsearch', () => {
    const conf = pipelineData(shipper().all)['usage.conf'];
    expect(conf).toMatch(/input \{\n {2}http \{\n {4}host => "0\.0\.0\.0"\n {4}port => 8080\n/);
    expect(conf).toContain('if ![tenant] or [tenant] == "" {');
    expect(conf).toContain('replace => { "tenant" => "unknown" }');
    expect(conf).toContain('match => ["timestamp", "ISO8601", "UNIX", "UNIX_MS"]');
    expect(conf).toContain('target => "@timestamp"');
    expect(conf).toContain('hosts => ["https://stats-es.internal:9200"]');
    expect(conf).toContain('user => "${STATS_ES_USER}"');
    expect(conf).toContain('password => "${STATS_ES_PASSWORD}"');
    expect(conf).toContain('index => "picvario-usage-%{+YYYY.MM.dd}"');
    expect(conf).toContain('template_name => "picvario-usage"');
  });

  test('THEN logstash.yml binds the API for probes, keeps data in the emptyDir and disables monitoring', () => {
    const yml = pipelineData(shipper().all)['logstash.yml'];
    expect(yml.split('\n')).toEqual(expect.arrayContaining([
      'api.http.host: 0.0.0.0', 'api.http.port: 9600', 'path.data: /usr/share/logstash/data', 'xpack.monitoring.enabled: false',
    ]));
    // Logstash 8 refuses to start when both the setting and its deprecated alias are set.
    expect(yml).not.toMatch(/^http\.host/m);
    expect(pipelineData(shipper().all)['pipelines.yml']).toBe('- pipeline.id: usage\n  path.config: "/usr/share/logstash/pipeline/usage.conf"\n');
  });

  test('THEN the index template maps the contract fields as keywords over the index wildcard', () => {
    const { all, construct } = shipper({ index: 'usage-%{tenant}-%{+YYYY.MM}' });
    expect(construct.indexWildcard).toBe('usage-*-*');
    const template = JSON.parse(pipelineData(all)['usage-template.json']);
    expect(template.index_patterns).toEqual(['usage-*-*']);
    expect(template.template.mappings.properties.tenant).toEqual({ type: 'keyword' });
    expect(template.template.mappings.properties.bytes).toEqual({ type: 'long' });
  });

  test('GIVEN an externally managed template THEN Logstash never installs one', () => {
    const data = pipelineData(shipper({ indexTemplate: IndexTemplateManagement.EXTERNAL }).all);
    expect(data['usage.conf']).toContain('manage_template => false');
    expect(data['usage.conf']).not.toContain('template_name');
    expect(Object.keys(data).sort()).toEqual(['logstash.yml', 'pipelines.yml', 'usage.conf']);
  });

  test('THEN the credentials come from the Secret and no secret value is anywhere in the YAML', () => {
    const { all } = shipper({ elasticsearch: { url: 'https://stats-es.internal:9200', secretName: 'stats-es-writer', usernameKey: 'user', passwordKey: 'pass' } });
    const env = envMap(container(find(all, 'Deployment', 'stats-shipper')));
    expect(env.STATS_ES_USER).toEqual({ secretKeyRef: { name: 'stats-es-writer', key: 'user' } });
    expect(env.STATS_ES_PASSWORD).toEqual({ secretKeyRef: { name: 'stats-es-writer', key: 'pass' } });
    expect(all.filter((o) => o.kind === 'Secret')).toEqual([]);
    // Every credential in the rendered config is an environment reference, never a literal.
    const text = Object.values(pipelineData(all)).join('\n');
    expect(text.match(/(user|password) => "[^"]*"/g)).toEqual(['user => "${STATS_ES_USER}"', 'password => "${STATS_ES_PASSWORD}"']);
    expect(Object.entries(env).filter(([name, v]) => /USER|PASSWORD/.test(name) && typeof v === 'string')).toEqual([]);
  });

  test('THEN the heap is half the memory limit and the image entrypoint (which rewrites logstash.yml) is bypassed', () => {
    const c = container(find(shipper().all, 'Deployment', 'stats-shipper'));
    expect(envMap(c).LS_JAVA_OPTS).toBe('-Xms512m -Xmx512m');
    expect(c.command).toEqual(['/usr/share/logstash/bin/logstash']);
    expect(c.image).toBe('docker.elastic.co/logstash/logstash:8.15.3');
  });

  test('THEN probes hit the Logstash API, and the Service exposes only the HTTP input', () => {
    const all = shipper().all;
    const c = container(find(all, 'Deployment', 'stats-shipper'));
    expect(c.ports).toEqual([{ name: 'http', containerPort: 8080, protocol: 'TCP' }, { name: 'api', containerPort: 9600, protocol: 'TCP' }]);
    for (const probe of [c.readinessProbe, c.startupProbe]) expect(probe.httpGet).toEqual({ path: '/', port: 'api' });
    expect(c.livenessProbe.tcpSocket).toEqual({ port: 'api' });
    const service = find(all, 'Service', 'stats-shipper');
    expect(service.spec.ports).toEqual([{ name: 'http', port: 8080, targetPort: 'http', protocol: 'TCP' }]);
    expect(service.spec.selector).toEqual(find(all, 'Deployment', 'stats-shipper').spec.selector.matchLabels);
  });

  test('THEN the container has the restricted security context, as the platform uid (10001), with only per-pod writable volumes', () => {
    const spec = find(shipper().all, 'Deployment', 'stats-shipper').spec.template.spec;
    expect(spec.containers).toHaveLength(1);
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
    expect(spec.securityContext.fsGroup).toBe(10001);
    expect(spec.volumes.filter((v: any) => !v.emptyDir && !v.configMap)).toEqual([]);
    expect(spec.volumes.filter((v: any) => v.emptyDir).map((v: any) => v.name)).toEqual(['tmp', 'data']);
    expect(spec.containers[0].volumeMounts).toEqual(expect.arrayContaining([
      { name: 'data', mountPath: '/usr/share/logstash/data' },
      { name: 'config', mountPath: '/usr/share/logstash/config/logstash.yml', subPath: 'logstash.yml', readOnly: true },
      { name: 'pipeline', mountPath: '/usr/share/logstash/pipeline', readOnly: true },
    ]));
  });

  test('THEN the pod template carries a checksum of the pipeline that changes when the pipeline does', () => {
    const checksumOf = (all: any[]) => find(all, 'Deployment', 'stats-shipper').spec.template.metadata.annotations['checksum/config'];
    const a = shipper();
    expect(checksumOf(a.all)).toMatch(/^[0-9a-f]{64}$/);
    expect(checksumOf(a.all)).toBe(a.construct.configChecksum);
    expect(checksumOf(shipper().all)).toBe(checksumOf(a.all));
    expect(checksumOf(shipper({ index: 'usage-%{+YYYY.MM}' }).all)).not.toBe(checksumOf(a.all));
    expect(checksumOf(shipper({ elasticsearch: { url: 'https://other-es:9200', secretName: 'stats-es-writer' } }).all)).not.toBe(checksumOf(a.all));
  });

  test('GIVEN one replica THEN no PodDisruptionBudget; GIVEN three THEN one that keeps two', () => {
    const one = shipper().all;
    expect(find(one, 'Deployment', 'stats-shipper').spec.replicas).toBe(1);
    expect(one.filter((o) => o.kind === 'PodDisruptionBudget')).toEqual([]);
    const three = shipper({ replicas: 3 }).all;
    expect(find(three, 'Deployment', 'stats-shipper').spec.replicas).toBe(3);
    expect(find(three, 'PodDisruptionBudget', 'stats-shipper').spec.minAvailable).toBe(2);
  });

  test('THEN the public properties describe what a NetworkPolicy needs', () => {
    const { construct } = shipper({ name: 'logstash', port: 8081, elasticsearch: { url: 'http://stats-es.internal', secretName: 'w' } });
    expect([construct.name, construct.port, construct.serviceUrl]).toEqual(['logstash', 8081, 'http://logstash:8081']);
    expect(construct.selectorLabels).toEqual({ 'app.kubernetes.io/name': 'picvario', 'app.kubernetes.io/instance': 'picvario', 'app.kubernetes.io/component': 'logstash' });
    expect([construct.elasticsearchHost, construct.elasticsearchPort, construct.apiPort]).toEqual(['stats-es.internal', 80, 9600]);
  });

  test('GIVEN an app and no index names THEN the index and its template are named after the app', () => {
    const { all, construct } = shipper({ appName: 'shop' });
    const conf = pipelineData(all)['usage.conf'];
    expect(conf).toContain('index => "shop-usage-%{+YYYY.MM.dd}"');
    expect(conf).toContain('template_name => "shop-usage"');
    expect([construct.indexWildcard, construct.indexTemplateName]).toEqual(['shop-usage-*', 'shop-usage']);
    expect(JSON.parse(pipelineData(all)['usage-template.json']).index_patterns).toEqual(['shop-usage-*']);
  });

  test('GIVEN names of its own (as Picvario pins them) THEN they win over the app-derived defaults', () => {
    const { all, construct } = shipper({ appName: 'shop', index: 'picvario-usage-%{+YYYY.MM.dd}', indexTemplateName: 'picvario-usage' });
    const conf = pipelineData(all)['usage.conf'];
    expect(conf).toContain('index => "picvario-usage-%{+YYYY.MM.dd}"');
    expect(conf).toContain('template_name => "picvario-usage"');
    expect(conf).not.toContain('shop-usage');
    expect([construct.indexWildcard, construct.indexTemplateName]).toEqual(['picvario-usage-*', 'picvario-usage']);
  });

  test('GIVEN an externally managed template THEN the shipper names no template', () => {
    expect(shipper({ indexTemplate: IndexTemplateManagement.EXTERNAL }).construct.indexTemplateName).toBeUndefined();
  });

  const es = (url: string, extra: object = {}) => ({ elasticsearch: { url, secretName: 'stats-es-writer', ...extra } });
  test.each([
    [es('stats-es.internal:9200'), /elasticsearch\.url must be an http\(s\) URL/],
    [es('ftp://stats-es.internal'), /elasticsearch\.url must be an http\(s\) URL/],
    [es('https://writer:hunter2@stats-es.internal:9200'), /elasticsearch\.url must be an http\(s\) URL .* without credentials/],
    [es('https://stats-es.internal:9200/?x=1'), /elasticsearch\.url must be an http\(s\) URL/],
    [es('https://${HOST}:9200'), /elasticsearch\.url must be an http\(s\) URL/],
    [es('https://stats-es.internal:9200', { usernameKey: '' }), /elasticsearch\.usernameKey must be a Secret key/],
    [es('https://stats-es.internal:9200', { passwordKey: 'pass word' }), /elasticsearch\.passwordKey must be a Secret key/],
    [{ elasticsearch: { url: 'https://stats-es.internal:9200', secretName: '' } }, /elasticsearch\.secretName must be the name of an existing Secret/],
    [{ port: 80 }, /port must be an integer from 1024 to 65535; got 80/],
    [{ port: 9600 }, /port must be a port other than the Logstash API port 9600; got 9600/],
    [{ replicas: 0 }, /replicas must be an integer from 1 to 20; got 0/],
    [{ index: 'Picvario-Usage' }, /index must be a lowercase Elasticsearch index name/],
    [{ index: 'usage-"x"' }, /index must be a lowercase Elasticsearch index name/],
    [{ indexTemplateName: 'Usage Template' }, /indexTemplateName must be a lowercase Elasticsearch template name .*; got "Usage Template"/],
    [{ indexTemplateName: '' }, /indexTemplateName must be a lowercase Elasticsearch template name/],
    [{ indexTemplate: IndexTemplateManagement.EXTERNAL, indexTemplateName: 'usage' }, /indexTemplateName must be unset when indexTemplate is IndexTemplateManagement\.EXTERNAL/],
    [{ appName: 'Shop' }, /appName must be a DNS-1035 label/],
    [{ resources: { ...logstashResources, memoryRequest: '256Mi', memoryLimit: '256Mi' } }, /resources\.memoryLimit must be at least 512Mi/],
    [{ tag: 'latest' }, /tag must be an immutable image tag/],
    [{ name: 'Stats_Shipper' }, /name must be a DNS-1035 label/],
  ])('GIVEN bad props %j THEN synth fails with a message naming StatsShipper and the field', (overrides, message) => {
    expect(() => shipper(overrides as Partial<StatsShipperProps>)).toThrow(message);
    expect(() => shipper(overrides as Partial<StatsShipperProps>)).toThrow(/^StatsShipper 'test\/shipper': /);
  });
});
