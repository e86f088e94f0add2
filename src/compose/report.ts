/** The migration report: what became of every service and key, and what is left to do by hand. */

/** What became of one key of the compose file. */
export enum KeyStatus {
  /** Kubernetes does the same thing; nothing is lost. */
  CONVERTED = 'converted',
  /** Kubernetes does something close: the detail says what differs. */
  APPROXIMATED = 'approximated',
  /** Not carried over: the detail says why, and what to do instead. */
  DROPPED = 'dropped',
}

export interface KeyOutcome {
  /** The key inside the service (`image`, `environment.SECRET_KEY`, `deploy.resources`, `volumes[0]`). */
  readonly key: string;
  readonly status: KeyStatus;
  readonly detail: string;
}

export interface ServiceOutcome {
  readonly name: string;
  /** The role the importer recognised (`django-backend`, `celery-worker`, `postgres`, ...). */
  readonly role: string;
  /** How the role was recognised. */
  readonly recognisedBy: string;
  /** What it became in the generated app. */
  readonly becomes: string;
  /** The service as a whole. */
  readonly status: KeyStatus;
  readonly keys: KeyOutcome[];
}

export interface SecretKeyOutcome {
  /** The Secret that must exist in the namespace. */
  readonly secret: string;
  readonly key: string;
  /** The environment variables that read it. */
  readonly variables: string[];
  /** The compose services that had those variables. */
  readonly services: string[];
  /** What the value is (never the value itself). */
  readonly content: string;
}

export interface VolumeOutcome {
  readonly name: string;
  readonly type: 'volume' | 'bind' | 'tmpfs' | 'anonymous';
  /** `service:target` pairs. */
  readonly mounts: string[];
  readonly shared: boolean;
  readonly status: KeyStatus;
  readonly recommendation: string;
}

export interface RouteOutcome {
  readonly location: string;
  /** What the compose nginx did with it. */
  readonly compose: string;
  /** What the generated edge does with it. */
  readonly edge: string;
  readonly covered: KeyStatus;
}

export interface TodoItem {
  readonly topic: string;
  readonly text: string;
  readonly services: string[];
}

/** A prop the generated app would have used, had the chart had it. */
export interface MissingProp {
  readonly prop: string;
  readonly why: string;
  readonly services: string[];
}

export interface MigrationReport {
  /** The compose file as given. */
  readonly source: string;
  readonly app: string;
  readonly profiles: string[];
  readonly summary: {
    readonly services: number;
    readonly keys: Record<KeyStatus, number>;
    readonly servicesBy: Record<KeyStatus, number>;
  };
  readonly services: ServiceOutcome[];
  /** Top-level keys of the compose file (`volumes.media`, `networks.default`, `x-django`, ...). */
  readonly topLevel: KeyOutcome[];
  readonly volumes: VolumeOutcome[];
  readonly secrets: SecretKeyOutcome[];
  readonly edgeRoutes: RouteOutcome[];
  readonly todo: TodoItem[];
  readonly missingChartProps: MissingProp[];
}

function cell(s: string): string {
  return s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

function code(s: string): string {
  return '`' + s.replace(/`/g, "'") + '`';
}

/** MIGRATION.md: the report for people. */
export function renderMarkdown(r: MigrationReport): string {
  const out: string[] = [];
  const k = r.summary.keys;
  out.push(`# Migration report: ${r.app}`, '');
  out.push(`Imported from ${code(r.source)} by ${code('k8s-topology import')}${r.profiles.length ? ` with the profiles ${r.profiles.map(code).join(', ')}` : ''}.`,
    `The generated app is ${code('main.ts')}; ${code('migration.json')} holds this report for CI.`, '');
  out.push(`**${r.summary.services} services**: ${r.summary.servicesBy.converted} converted, ${r.summary.servicesBy.approximated} approximated, ${r.summary.servicesBy.dropped} dropped. `
    + `**Keys**: ${k.converted} converted, ${k.approximated} approximated, ${k.dropped} dropped.`, '');
  out.push('- **converted**: Kubernetes does the same thing.', '- **approximated**: it does something close; the detail says what differs.',
    '- **dropped**: not carried over; the detail says why and what to do instead.', '');

  out.push('## What you must do by hand', '');
  if (!r.todo.length) out.push('Nothing.', '');
  const topics = [...new Set(r.todo.map((t) => t.topic))];
  for (const topic of topics) {
    out.push(`### ${topic}`, '');
    for (const t of r.todo.filter((x) => x.topic === topic)) out.push(`- [ ] ${t.text}${t.services.length ? ` (${t.services.map(code).join(', ')})` : ''}`);
    out.push('');
  }

  out.push('## Services', '', '| service | recognised as | by | becomes | status |', '| --- | --- | --- | --- | --- |');
  for (const s of r.services) out.push(`| ${code(s.name)} | ${s.role} | ${cell(s.recognisedBy)} | ${cell(s.becomes)} | ${s.status} |`);
  out.push('');

  if (r.secrets.length) {
    out.push('## Secrets to create', '', 'No secret value is written anywhere in the generated files: every one is a reference to a key of a Secret that must exist in the namespace (or be synced into it).', '',
      '| Secret | key | read as | from services | what it holds |', '| --- | --- | --- | --- | --- |');
    for (const s of r.secrets) out.push(`| ${code(s.secret)} | ${code(s.key)} | ${s.variables.map(code).join(', ')} | ${s.services.map(code).join(', ')} | ${cell(s.content)} |`);
    out.push('');
    const bySecret = [...new Set(r.secrets.map((s) => s.secret))];
    out.push('```sh');
    for (const name of bySecret) {
      const keys = r.secrets.filter((s) => s.secret === name).map((s) => s.key);
      out.push(`kubectl -n ${r.app} create secret generic ${name} \\`);
      keys.forEach((key, i) => out.push(`  --from-literal=${key}=... ${i < keys.length - 1 ? '\\' : ''}`.trimEnd()));
    }
    out.push('```', '');
  }

  if (r.volumes.length) {
    out.push('## Volumes', '', 'No PersistentVolumeClaim is generated: pods of one component run on many nodes, and a volume shared between pods would tie them to one.', '',
      '| volume | type | mounted by | shared | status | what to do |', '| --- | --- | --- | --- | --- | --- |');
    for (const v of r.volumes) out.push(`| ${code(v.name)} | ${v.type} | ${v.mounts.map(code).join(', ')} | ${v.shared ? 'yes' : 'no'} | ${v.status} | ${cell(v.recommendation)} |`);
    out.push('');
  }

  if (r.edgeRoutes.length) {
    out.push('## Edge routes', '', 'What the compose nginx routed, and what the generated edge (nginx with its Ingress) does with it.', '',
      '| location | compose nginx | generated edge | covered |', '| --- | --- | --- | --- |');
    for (const e of r.edgeRoutes) out.push(`| ${code(e.location)} | ${cell(e.compose)} | ${cell(e.edge)} | ${e.covered} |`);
    out.push('');
  }

  if (r.missingChartProps.length) {
    out.push('## Chart props the import would have used', '', 'The generated app uses the closest thing the chart has; these props would express the compose file exactly.', '',
      '| prop | why | services |', '| --- | --- | --- |');
    for (const m of r.missingChartProps) out.push(`| ${code(m.prop)} | ${cell(m.why)} | ${m.services.map(code).join(', ')} |`);
    out.push('');
  }

  out.push('## Every key', '');
  for (const s of r.services) {
    out.push(`### ${s.name}: ${s.becomes}`, '', '| key | status | detail |', '| --- | --- | --- |');
    for (const key of s.keys) out.push(`| ${code(key.key)} | ${key.status} | ${cell(key.detail)} |`);
    out.push('');
  }
  out.push('### Top-level keys', '', '| key | status | detail |', '| --- | --- | --- |');
  for (const key of r.topLevel) out.push(`| ${code(key.key)} | ${key.status} | ${cell(key.detail)} |`);
  out.push('');
  return out.join('\n');
}

/** migration.json: the same report for CI (`jq '.summary.keys.dropped'`). */
export function renderJson(r: MigrationReport): string {
  return JSON.stringify(r, null, 2) + '\n';
}
