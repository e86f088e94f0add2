// Assembles the migration report from the outcomes the modules recorded, accounts for the top-level keys,
// and keeps secret values out of every output (Redactor).
import { ComposeService } from '../compose';
import { urlsIn } from '../hosts';
import { KeyOutcome, KeyStatus, MigrationReport, MissingProp, SecretKeyOutcome, ServiceOutcome } from '../report';
import { Classified, isComponentRole } from '../roles';
import { A, C, D, MappingContext } from './context';
import { dnsLabel, isObject, listOf, SECRET_NAME, secretKeyFor, sorted } from './values';

/** The keys of a service the report must account for: top-level keys, with environment, ports, volumes, depends_on, deploy and healthcheck one level down. */
export function reportKeys(s: ComposeService): string[] {
  const keys: string[] = [];
  for (const key of s.keys) {
    const v = s.spec[key];
    if (key === 'environment' && isObject(v)) {
      keys.push(...Object.keys(v).map((k) => `environment.${k}`));
      if (!Object.keys(v).length) keys.push('environment');
    } else if (key === 'depends_on' && (isObject(v) || Array.isArray(v))) {
      keys.push(...(Array.isArray(v) ? v.map(String) : Object.keys(v)).map((k) => `depends_on.${k}`));
    } else if ((key === 'deploy' || key === 'healthcheck') && isObject(v)) {
      keys.push(...Object.keys(v).map((k) => `${key}.${k}`));
      if (!Object.keys(v).length) keys.push(key);
    } else if (key === 'volumes' && Array.isArray(v)) {
      keys.push(...v.map((_, i) => `volumes[${i}]`));
    } else {
      keys.push(key);
    }
  }
  // Variables read from env_file(s) and not overridden by environment.
  for (const e of s.environment) if (e.origin !== 'environment') keys.push(`env_file.${e.name}`);
  return keys;
}

/** The values that must never be written: secret-looking variables of the env files and the shell, and secret-looking values of any service. */
export function secretValues(ctx: MappingContext): string[] {
  const values = new Set<string>();
  for (const [name, v] of ctx.project.variables.entries()) if (SECRET_NAME.test(name)) values.add(v.value);
  for (const s of ctx.project.services) {
    for (const e of s.environment) {
      if (e.value === undefined) continue;
      if (SECRET_NAME.test(e.name)) values.add(e.value);
      for (const u of urlsIn(e.value)) if (u.password) values.add(u.password);
    }
  }
  return [...values].filter((v) => v.length >= 6);
}

export function migrationReport(ctx: MappingContext): MigrationReport {
  const services: ServiceOutcome[] = [];
  for (const s of ctx.project.services) {
    const c = ctx.byName.get(s.name);
    const o = ctx.outcomes.get(s.name)!;
    const order = reportKeys(s);
    const keys = [...o.keys.values()].sort((a, b) => {
      const ia = order.indexOf(a.key);
      const ib = order.indexOf(b.key);
      return (ia < 0 ? order.length : ia) - (ib < 0 ? order.length : ib) || (a.key < b.key ? -1 : 1);
    });
    const becomes = ctx.becomes.get(s.name) ?? 'nothing';
    const isComponent = c && ctx.isComponent(c);
    let status: KeyStatus;
    if (!c || becomes === 'nothing' || becomes.startsWith('nothing')) status = D;
    else if (isComponent) status = keys.every((k) => k.status === C) ? C : A;
    else status = A;
    services.push({
      name: s.name,
      role: c ? (c.role === 'django-backend' && c !== ctx.backend ? `django-backend (${ctx.webServers.includes(c) ? 'web service' : 'second'})` : c.role) : 'inactive',
      recognisedBy: c ? c.recognisedBy : `profiles ${s.profiles.join(', ')} not enabled`,
      becomes,
      status,
      keys,
    });
  }
  const topLevel = topLevelOutcomes(ctx);
  const count = (status: KeyStatus) => services.reduce((n, s) => n + s.keys.filter((k) => k.status === status).length, 0)
    + topLevel.filter((k) => k.status === status).length;
  const secrets: SecretKeyOutcome[] = [...ctx.secrets.values()]
    .map((s) => ({ secret: s.secret, key: s.key, variables: sorted([...s.variables]), services: sorted([...s.services]), content: s.content }))
    .sort((a, b) => (a.secret === b.secret ? (a.key < b.key ? -1 : 1) : a.secret < b.secret ? -1 : 1));
  const missing: MissingProp[] = [...ctx.missing.entries()]
    .map(([prop, m]) => ({ prop, why: m.why, services: sorted([...m.services]) }))
    .sort((a, b) => (a.prop < b.prop ? -1 : 1));
  if (ctx.secrets.size) ctx.addTodo('Secrets', `Create the Secrets listed under "Secrets to create" in the namespace ${ctx.appName} (or sync them with the External Secrets Operator: DjangoAppChartProps.secretStore).`);
  ctx.addTodo('Delivery', 'Replace the placeholder repository URL in package.json: Argo CD syncs the rendered branch of that repository.');
  const topicOrder = ['Secrets', 'Managed services', 'Storage', 'Data', 'Images', 'Django settings', 'Django web tier', 'Celery', 'Frontend', 'Edge', 'Configuration', 'Services outside the chart', 'Cluster', 'Network', 'Delivery'];
  const todo = [...ctx.todo].map((t) => ({ ...t, services: sorted(t.services) }))
    .sort((a, b) => topicOrder.indexOf(a.topic) - topicOrder.indexOf(b.topic));
  return {
    source: ctx.project.file,
    app: ctx.appName,
    profiles: ctx.project.enabledProfiles,
    summary: {
      services: services.length,
      keys: { converted: count(C), approximated: count(A), dropped: count(D) },
      servicesBy: {
        converted: services.filter((s) => s.status === C).length,
        approximated: services.filter((s) => s.status === A).length,
        dropped: services.filter((s) => s.status === D).length,
      },
    },
    services,
    topLevel,
    volumes: ctx.volumes,
    secrets,
    edgeRoutes: ctx.routes,
    todo,
    missingChartProps: missing,
  };
}

export function topLevelOutcomes(ctx: MappingContext): KeyOutcome[] {
  const out: KeyOutcome[] = [];
  const top = ctx.project.top;
  for (const key of ctx.project.topLevelKeys) {
    if (key === 'services') continue;
    if (key === 'version') {out.push({ key, status: D, detail: 'obsolete: compose ignores it too' });} else if (key === 'name') {out.push({ key, status: C, detail: `the app name ${ctx.appName}` });} else if (key.startsWith('x-')) {out.push({ key, status: C, detail: 'an extension field: its anchors and merge keys are resolved into the services that use them' });} else if (key === 'volumes') {
      for (const name of Object.keys(isObject(top.volumes) ? top.volumes : {})) {
        const v = ctx.volumes.find((x) => x.type === 'volume' && x.name === name);
        out.push({ key: `volumes.${name}`, status: v?.status ?? D, detail: `no PersistentVolumeClaim: ${v?.recommendation ?? 'not mounted'}` });
      }
    } else if (key === 'networks') {
      for (const name of Object.keys(isObject(top.networks) ? top.networks : {})) {
        out.push({ key: `networks.${name}`, status: A, detail: 'the NetworkPolicies the chart derives from the components replace compose networks: default deny, one allow rule per flow' });
      }
    } else if (key === 'secrets') {
      for (const name of Object.keys(isObject(top.secrets) ? top.secrets : {})) {
        const secret = `${ctx.appName}-${dnsLabel(name)}`;
        const users = ctx.classified.filter((c) => listOf(c.service.spec.secrets).some((x) => (isObject(x) ? x.source : x) === name));
        const components = users.filter((c) => ctx.isComponent(c));
        if (!components.length) {
          out.push({ key: `secrets.${name}`, status: D, detail: `used by ${users.map((c) => c.service.name).join(', ') || 'no active service'}, which ${users.length === 1 ? 'is' : 'are'} not part of the generated app` });
          continue;
        }
        out.push({ key: `secrets.${name}`, status: C, detail: `the Secret ${secret} with the key ${secretKeyFor(name)}, mounted read-only where compose mounted it (extraVolumes of ${components.map((c) => c.service.name).join(', ')})` });
        for (const c of components) ctx.addSecret(secret, secretKeyFor(name), `(file ${name})`, c.service.name, `the content of the compose secret ${name}`);
      }
    } else if (key === 'configs') {
      for (const name of Object.keys(isObject(top.configs) ? top.configs : {})) {
        const mounts = (c: Classified) => listOf(c.service.spec.configs).some((x) => (isObject(x) ? x.source : x) === name);
        const users = ctx.classified.filter((c) => isComponentRole(c.role) && mounts(c));
        out.push(users.length
          ? { key: `configs.${name}`, status: A, detail: `the ConfigMap ${ctx.appName}-${dnsLabel(name)} (to create from the file), mounted read-only by ${users.map((c) => c.service.name).join(', ')}` }
          : { key: `configs.${name}`, status: D, detail: 'used by no component of the generated app' });
      }
    } else {
      out.push({ key, status: D, detail: 'not supported by the importer' });
    }
  }
  return out;
}

/** Replaces secret values, and the password of any URL, in every string of a value. */
export class Redactor {
  public count = 0;
  private readonly values: string[];

  constructor(values: string[]) {
    // Longest first, so a value containing another is replaced whole.
    this.values = [...values].sort((a, b) => b.length - a.length);
  }

  public redact(v: unknown): unknown {
    if (typeof v === 'string') {
      let out = v.replace(/(\b[a-z][a-z0-9+.-]*:\/\/[^\s/@:]*:)([^\s/@]+)@/gi, (m, head: string, pass: string) => (pass.startsWith('${') || pass === '***' ? m : `${head}***@`));
      for (const s of this.values) if (out.includes(s)) out = out.split(s).join('<secret>');
      if (out !== v) this.count++;
      return out;
    }
    if (Array.isArray(v)) return v.map((x) => this.redact(x));
    if (typeof v === 'object' && v !== null) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, this.redact(x)]));
    return v;
  }
}
