// Maps the services and their roles: the one Django image and its release, the Celery app, the compose
// user (runAsUser), depends_on (sync waves), and every key of a service that no part claimed.
import { option } from '../commands';
import { ComposeService } from '../compose';
import { hostsIn } from '../hosts';
import { KeyStatus } from '../report';
import { Classified, EXTRA_ROLES, isComponentRole, Role, STATEFUL_ROLES } from '../roles';
import { A, C, D, MappingContext } from './context';
import { reportKeys } from './outcomes';
import { djangoModule, secretReason } from './settings';
import { dnsLabel, isObject, listOf } from './values';

/** What becomes of a key of a component service that no role-specific mapping claimed. */
export function genericRule(key: string, value: any, c: Classified): [KeyStatus, string] {
  const job = ['migrate', 'collectstatic', 'django-management'].includes(c.role);
  switch (key) {
    case 'image': return [C, 'the image of this component'];
    case 'build': return [C, 'CI builds and pushes the image; the cluster pulls it'];
    case 'command': return [A, 'the chart runs its own command for this component'];
    case 'entrypoint': return [A, 'the chart sets the container command, so the image entrypoint does not run: whatever it did (waiting, migrating) the jobs and probes do'];
    case 'environment': return [C, 'no variables'];
    case 'env_file': return [C, 'read: its variables are listed as env_file.<NAME>'];
    case 'ports': return [A, job || c.role === 'celery-worker' || c.role === 'celery-beat' ? 'nothing listens here in the generated app: no Service' : 'see the component\'s Service'];
    case 'expose': return [A, job || c.role === 'celery-worker' || c.role === 'celery-beat' ? 'nothing listens here in the generated app: no Service' : 'see the component\'s Service'];
    case 'restart': {
      const r = String(value);
      if (job) return [r === 'no' || r.startsWith('on-failure') ? C : A, 'a Job runs once per sync'];
      return [r === 'no' || r === 'false' ? A : C, r === 'no' || r === 'false' ? 'a Deployment always restarts its pods' : 'the Deployment restarts its pods (restartPolicy Always)'];
    }
    case 'stop_grace_period': return [job ? D : A, job ? 'a Job step has 30 s to stop' : "the chart's grace period applies"];
    case 'stop_signal': return [D, 'Kubernetes always sends SIGTERM first (Celery and gunicorn shut down warmly on it)'];
    case 'container_name':
    case 'hostname':
    case 'domainname': return [D, 'names come from the component (Deployment and Service names)'];
    case 'networks':
    case 'network_mode': return [A, 'the NetworkPolicies the chart derives from the components replace compose networks'];
    case 'links':
    case 'external_links': return [A, 'Services are addressed by name in the namespace; links are not needed'];
    case 'labels': return [D, 'container labels are not carried (the chart sets the app.kubernetes.io labels)'];
    case 'logging': return [D, "containers log to stdout and stderr; the cluster's log collector reads them"];
    case 'profiles': return [C, 'the profile is enabled'];
    case 'extends': return [C, 'merged, as compose does'];
    case 'working_dir': return [D, "the chart sets no working directory: the image's WORKDIR must be where the code is"];
    case 'read_only': return [C, 'every container has a read-only root filesystem'];
    case 'tmpfs': return [listOf(value).every((t) => String(t).split(':')[0] === '/tmp') ? C : A, 'every pod has a size-limited /tmp (emptyDir); other tmpfs paths are not writable'];
    case 'init': return [D, 'no init process is injected: the image must reap its children (tini) if it forks'];
    case 'privileged':
    case 'cap_add':
    case 'security_opt':
    case 'devices':
    case 'sysctls':
    case 'pid':
    case 'ipc':
    case 'userns_mode':
    case 'cgroup':
    case 'cgroup_parent':
    case 'device_cgroup_rules': return [D, 'not allowed under Pod Security restricted'];
    case 'cap_drop': return [C, 'every container drops all capabilities'];
    case 'shm_size': return [D, 'no /dev/shm of that size (needs an emptyDir with medium Memory: PodOptions.extraVolumes)'];
    case 'ulimits': return [D, "the node's limits apply"];
    case 'extra_hosts': return [D, 'no host aliases: use DNS names'];
    case 'dns':
    case 'dns_search':
    case 'dns_opt': return [D, 'the cluster DNS is used'];
    case 'tty':
    case 'stdin_open': return [D, 'no terminal in a pod'];
    case 'platform': return [D, 'the nodes\' architecture decides; build a multi-arch image if needed'];
    case 'pull_policy': return [A, 'the chart always pulls (imagePullPolicy Always)'];
    case 'secrets': return [A, 'file secrets are not mounted: see the top-level secrets'];
    case 'configs': return [D, 'config files are not mounted: bake them into the image or mount a ConfigMap'];
    case 'scale': return [A, 'replicas follow the role'];
    case 'x-': return [D, 'an extension field'];
    default:
      if (key.startsWith('x-')) return [D, 'an extension field: compose ignores it too'];
      if (['mem_swappiness', 'memswap_limit', 'oom_kill_disable', 'oom_score_adj', 'pids_limit', 'cpu_count', 'cpu_percent', 'cpu_period', 'cpu_quota', 'cpu_rt_runtime',
        'cpu_rt_period', 'cpuset', 'blkio_config', 'storage_opt', 'isolation', 'group_add', 'mac_address', 'runtime', 'gpus', 'credential_spec', 'annotations', 'attach',
        'volumes_from', 'develop', 'post_start', 'pre_stop', 'label_file', 'use_api_socket', 'provider', 'models'].includes(key)) {
        return [D, `${key} has no counterpart in the generated app`];
      }
      return [D, `${key} is not a compose key the importer knows`];
  }
}

/**
 * What becomes of a key under deploy: that no part claimed (deploy.replicas, deploy.resources and
 * deploy.placement have their own mappings).
 */
export function deployRule(key: string, deploy: any, c: Classified): [KeyStatus, string] {
  const sub = key.split('.')[1];
  const value = isObject(deploy) ? deploy[sub] : undefined;
  switch (sub) {
    case 'mode': {
      const scaled = c.role === 'celery-worker' ? "its queue's length (KEDA)" : 'its role (web tiers: the HPA)';
      if (String(value) === 'global') return [A, `one replica per node (global) is not carried: the replicas follow ${scaled}, spread across nodes and zones`];
      return [C, 'replicated: a Deployment'];
    }
    case 'restart_policy': return [A, 'Kubernetes restarts a failed container itself, with a growing back-off'];
    case 'update_config':
    case 'rollback_config': return [A, "the chart's rolling update replaces it (a new pod Ready before an old one goes); a rollback is a sync of an earlier revision"];
    case 'labels': return [D, 'service labels are not carried (the chart sets the app.kubernetes.io labels)'];
    case 'endpoint_mode': return [A, 'a ClusterIP Service balances over the Ready pods'];
    default: return [D, `${key} has no counterpart in the generated app`];
  }
}

export function appImage(ctx: MappingContext): { repository: string; version: string; versionIsPlaceholder: boolean } {
  const b = ctx.backend;
  const out = ctx.out(b);
  ctx.need(b, 'image');
  let repository: string;
  let version = '0.1.0';
  let placeholder = true;
  // `image: shop_production_django` next to `build:` only names the local build (no registry, no tag): no cluster can pull it.
  const localBuild = !!b.image && b.service.spec.build !== undefined && !b.image.repository.includes('/') && !b.image.tag && !b.image.digest;
  if (b.image && !localBuild) {
    repository = b.image.repository;
    const tag = b.image.tag;
    if (tag && tag !== 'latest' && /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/.test(tag)) {
      version = tag;
      placeholder = false;
      out.set('image', b.image.digest ? A : C, `repository ${repository}, tag ${tag} is the app version${b.image.digest ? ' (the digest is dropped: the chart pins images by tag)' : ''}`);
    } else {
      out.set('image', A, `repository ${repository}; the tag ${tag ? `"${tag}" moves under a running Deployment` : 'is missing'}, so the version is the placeholder ${version}`);
      ctx.addTodo('Images', `Set \`version\` in main.ts to the immutable tag CI pushes for ${repository} (compose used ${tag ?? 'no tag'}, which the chart refuses because it moves).`, [b.service.name]);
    }
  } else {
    repository = `registry.example.com/${ctx.appName}/${dnsLabel(b.service.name)}`;
    out.set('build', A, `${localBuild ? `the local image name ${b.image!.ref} has no registry` : 'no image'}: the generated app runs ${repository}, a placeholder`);
    if (localBuild) out.set('image', A, `${b.image!.ref} names the local build (no registry, no tag): the generated app runs the placeholder ${repository}:${version}`);
    ctx.addTodo('Images', `Build the Django image in CI and push it; replace the placeholder ${repository} and \`version\` in main.ts.`, [b.service.name]);
  }
  if (b.image && !localBuild && b.service.spec.build !== undefined) out.set('build', C, `CI builds and pushes ${repository}; the cluster pulls it`);
  for (const c of ctx.appCodeServices()) {
    if (c === b) continue;
    const o = ctx.out(c);
    ctx.need(c, 'image');
    const sameBuild = sameBuildAs(c, b);
    if (sameImageAsBackend(ctx, c, repository)) {
      if (c.image && sameBuild && c.image.repository !== b.image?.repository) o.set('image', C, `${c.image.ref} names the same build as ${b.service.name}: it runs the Django image ${repository}:${version}`);
      else if (c.image && c.image.tag !== b.image?.tag) o.set('image', A, `the same repository as ${b.service.name}; every process of the Django code runs one release (${version}), compose had tag ${c.image.tag ?? 'none'}`);
      else o.set('image', C, `the Django image ${repository}:${version}, like ${b.service.name}`);
      if (c.service.spec.build !== undefined) o.set('build', C, `the same image as ${b.service.name}, built by CI`);
    } else {
      o.set('image', A, `runs the Django image ${repository}, not ${c.image?.ref ?? 'its own build'}: the chart runs the backend, the workers, beat and the jobs from one image`);
      if (c.service.spec.build !== undefined) o.set('build', A, `the chart runs one Django image for all its processes (${repository})`);
      ctx.addTodo('Images', `Make these services run from the Django image ${repository} (the chart runs the backend, the workers, beat and the jobs from one image; MIGRATION.md says what each used), or split them into apps of their own.`, [c.service.name]);
    }
  }
  return { repository, version, versionIsPlaceholder: placeholder };
}

export function celeryAppName(ctx: MappingContext): string {
  for (const c of ctx.ofRole('celery-worker', 'celery-beat')) {
    const cmd = c.analysis.commands.find((x) => x.kind === 'celery-worker' || x.kind === 'celery-beat');
    const app = cmd ? option(cmd.argv, ['-A'], ['--app']) : undefined;
    if (app && /^[A-Za-z_][\w.:]*$/.test(app)) return app;
  }
  const module = djangoModule(ctx);
  ctx.addTodo('Celery', `No Celery app found (no "celery -A <app>"): set \`celeryApp\` in main.ts (it is ${module}.celery now).`);
  return `${module}.celery`;
}

/** The services a service addresses: by its variables, depends_on and links. */
export function references(ctx: MappingContext, c: Classified): string[] {
  const names = ctx.project.services.map((s) => s.name);
  const found = new Set<string>();
  for (const e of c.service.environment) {
    const text = `${e.value ?? ''} ${e.template?.raw ?? ''}`;
    for (const h of hostsIn(text, names)) found.add(h);
  }
  const deps = c.service.spec.depends_on;
  for (const d of isObject(deps) ? Object.keys(deps) : listOf(deps).map(String)) found.add(d);
  for (const l of listOf(c.service.spec.links)) found.add(String(l).split(':')[0]);
  found.delete(c.service.name);
  return [...found];
}

export function mapUser(ctx: MappingContext): void {
  const users = ctx.classified.filter((c) => isComponentRole(c.role) && c.role !== 'nginx-edge' && c.service.spec.user !== undefined);
  let uid: number | undefined;
  let gid: number | undefined;
  for (const c of users) {
    ctx.need(c, 'user');
    const u = String(c.service.spec.user);
    const m = /^([0-9]+)(?::([0-9]+))?$/.exec(u);
    const o = ctx.out(c);
    if (u === 'root' || u === '0' || u.startsWith('0:') || u.startsWith('root:')) {
      o.set('user', D, 'root is not allowed (Pod Security restricted): the image must work as a non-root uid (10001 by default)');
      ctx.addTodo('Images', 'These containers ran as root: make the image work as a non-root user (runAsUser 10001 unless main.ts sets another), with its files readable by it and writes only under /tmp.', [c.service.name]);
    } else if (m) {
      const thisUid = Number(m[1]);
      const thisGid = m[2] !== undefined ? Number(m[2]) : thisUid;
      if (thisUid <= 10000) {
        o.set('user', A, `pods run as uid 10001, gid 10001, not ${u}: a uid above 10000 cannot collide with a user of the node (the validation gate requires it); the image's files must be readable by it`);
        ctx.addTodo('Images', `Compose ran the containers as ${u}; the pods run as 10001:10001: make the image's files readable by that uid (or build the image with a user above 10000 and set runAsUser).`, [c.service.name]);
        continue;
      }
      if (uid === undefined) {
        uid = thisUid;
        gid = thisGid;
      }
      o.set('user', uid === thisUid ? C : A, uid === thisUid ? `runAsUser ${thisUid}, runAsGroup ${thisGid} (for every component of the app)` : `the app runs as ${uid}:${gid}; ${u} is not carried`);
    } else {
      o.set('user', A, `the user name ${u} is not carried: pods run as uid ${uid ?? 10001}; the image's files must be readable by it`);
      ctx.addTodo('Images', `Compose ran the containers as the user "${u}"; the pods run as uid ${uid ?? 10001}: check that it can read the image's files.`, [c.service.name]);
    }
  }
  if (uid !== undefined) {
    ctx.userProps = { runAsUser: uid, runAsGroup: gid };
    ctx.comment('runAsUser', 'From the compose user; every container runs as this uid, non-root, with a read-only root filesystem.');
  }
  if (!users.length) ctx.addTodo('Images', 'Every container runs as uid 10001 with a read-only root filesystem and a writable /tmp: check that the images work that way (no writes outside /tmp, no root).');
}

/** Whether a service runs the backend's Django image: the same build, or the same repository. */
export function sameImageAsBackend(ctx: MappingContext, c: Classified, repository: string): boolean {
  return sameBuildAs(c, ctx.backend) || (c.image ? c.image.repository === repository : false);
}

// A project names one build per service (shop_production_celeryworker), so the build, not the name, tells.
function sameBuildAs(c: Classified, b: Classified): boolean {
  return c.service.spec.build !== undefined && JSON.stringify(c.service.spec.build) === JSON.stringify(b.service.spec.build);
}

export function mapDependsOn(ctx: MappingContext): void {
  for (const c of ctx.classified) {
    const raw = c.service.spec.depends_on;
    if (raw === undefined) continue;
    const o = ctx.out(c);
    const deps: Record<string, any> = Array.isArray(raw) ? Object.fromEntries(raw.map((d: string) => [d, { condition: 'service_started' }])) : isObject(raw) ? raw : {};
    const mine = c.role;
    const component = ctx.isComponent(c);
    for (const [dep, spec] of Object.entries(deps)) {
      const key = `depends_on.${dep}`;
      const condition = isObject(spec) && typeof spec.condition === 'string' ? spec.condition : 'service_started';
      const target = ctx.byName.get(dep);
      const extra = isObject(spec) && (spec.restart !== undefined || spec.required !== undefined) ? ` (restart/required: ${JSON.stringify({ restart: spec.restart, required: spec.required })} have no counterpart)` : '';
      if (!component) {
        o.set(key, D, `${c.service.name} is not part of the generated app`);
        continue;
      }
      if (!target) {
        o.set(key, D, `${dep} is not an active service${ctx.project.services.some((s) => s.name === dep) ? ' (its profile is not enabled)' : ''}`);
        continue;
      }
      const t = target.role;
      const jobs = ['migrate', 'collectstatic', 'django-management'];
      const wave = (r: Role) => (jobs.includes(r) ? 0 : r === 'nuxt-frontend' || r === 'nginx-edge' ? 2 : 1);
      if (jobs.includes(t) && !jobs.includes(mine)) {
        o.set(key, C, `${dep} (${condition}) is an Argo CD Sync hook Job in wave 0: ${c.service.name} is applied in wave ${wave(mine)} only after it succeeded, and a failed run stops the sync${extra}`);
      } else if (jobs.includes(t) && jobs.includes(mine)) {
        o.set(key, C, `the steps run in order in one Job (init containers)${extra}`);
      } else if (isComponentRole(t) && wave(t) < wave(mine)) {
        o.set(key, condition === 'service_healthy' ? C : C, `sync waves: ${c.service.name} (wave ${wave(mine)}) is applied after ${dep} (wave ${wave(t)}) is healthy${extra}`);
      } else if (isComponentRole(t)) {
        o.set(key, D, `no Kubernetes meaning: ${dep} and ${c.service.name} are applied in the same wave; the app must tolerate ${dep} starting later (readiness keeps a pod out of its Service until it can serve)`);
      } else if (STATEFUL_ROLES.includes(t) || EXTRA_ROLES.includes(t)) {
        const retry = jobs.includes(mine) ? 'the Job retries (backoffLimit) until it is reachable'
          : ['django-backend', 'nuxt-frontend', 'nginx-edge'].includes(mine) ? `${c.service.name} must retry its connection at start (readiness keeps it out of the Service meanwhile)`
            : `${c.service.name} must retry its connection at start (Celery retries the broker by itself; a pod that exits is restarted)`;
        o.set(key, D, `no Kubernetes meaning: ${dep} runs outside the app now; ${retry}${extra}`);
      } else {
        o.set(key, D, `${dep} (${t}) is not part of the generated app`);
      }
    }
  }
}

export function genericKeys(ctx: MappingContext, s: ComposeService): void {
  const o = ctx.outcomes.get(s.name)!;
  const c = ctx.byName.get(s.name);
  if (!c) {
    for (const key of reportKeys(s)) o.setIfAbsent(key, D, `the profile${s.profiles.length > 1 ? 's' : ''} ${s.profiles.join(', ')} ${s.profiles.length > 1 ? 'are' : 'is'} not enabled (--profile or COMPOSE_PROFILES)`);
    ctx.becomes.set(s.name, 'nothing (profile not enabled)');
    return;
  }
  const component = ctx.isComponent(c);
  const external = ctx.externals.get(s.name);
  const why = component ? '' : notInApp(ctx, c);
  for (const key of reportKeys(s)) {
    if (o.has(key)) continue;
    const top = key.split(/[.[]/)[0];
    if (!component) {
      if ((top === 'environment' || top === 'env_file') && key.includes('.')) {
        const name = key.slice(key.indexOf('.') + 1);
        const e = s.environment.find((x) => x.name === name);
        const secret = e ? secretReason(ctx, e) : undefined;
        o.set(key, D, `${why}${secret ? `; ${secret}, so its value is not written anywhere` : ''}${STATEFUL_ROLES.includes(c.role) && secret ? ` (the credentials of the managed ${c.product} go into the app's Secrets)` : ''}`);
      } else if (top === 'image' && !external) {
        o.set(key, D, `${c.image?.ref ?? ''}: ${why}`);
      } else if (top === 'healthcheck') {
        o.set(key, D, external ? (external.extra ? 'probe it where it runs now (its own chart has probes)' : "the managed service's health is its provider's concern") : why);
      } else {
        o.set(key, D, why);
      }
      continue;
    }
    const rule = top === 'deploy' ? deployRule(key, s.spec.deploy, c) : genericRule(top, s.spec[top], c);
    o.set(key, rule[0], rule[1]);
  }
  if (!component && !ctx.becomes.has(s.name)) ctx.becomes.set(s.name, 'nothing');
  if (component && c.role === 'django-backend' && c !== ctx.backend && !ctx.webServers.includes(c)) ctx.becomes.set(s.name, 'nothing');
}

export function notInApp(ctx: MappingContext, c: Classified): string {
  if (c.role === 'django-backend') return `a second Django web server: the app has no edge, and only the edge routes to a web service beside the backend (${ctx.backend.service.name}); see the to-do`;
  if (c.role === 'celery-beat') return 'Celery beat without a worker: the chart runs beat only with workers, since nothing else would run its periodic tasks';
  if (c.role === 'celery-flower') return ctx.hasWorkers() ? 'Flower is not generated: the chart\'s Flower is served only by the edge, and only one; see the to-do' : 'Flower without a worker: there is nothing for it to show';
  if (c.role === 'mail-catcher') return `${c.product} catches mail in development; production sends through a real SMTP service (set its address in the app's settings)`;
  if (c.role === 'admin-tool') return `${c.product} is a development tool: not part of the generated app`;
  if (c.role === 'monitoring' || c.role === 'grafana' || c.role === 'kibana') return `${c.product ?? c.role} belongs to the cluster's monitoring, not to the app: use the monitoring stack of the cluster${c.role === 'grafana' ? ' (or the chart\'s stats.dashboards for usage statistics)' : ''}`;
  if (c.role === 'reverse-proxy') return `${c.product}: the Ingress (and the edge) replace it`;
  const ext = ctx.externals.get(c.service.name);
  if (ext?.extra) return `${c.service.name} runs outside the generated app (externalServices ${ext.name}); the chart has no component for it`;
  if (ext) return `${c.service.name} runs outside the cluster now (externalServices ${ext.name})`;
  if (STATEFUL_ROLES.includes(c.role)) {
    const users = ctx.classified.filter((x) => references(ctx, x).includes(c.service.name)).map((x) => x.service.name);
    return `${c.product} is not reached by the generated app${users.length ? ` (only ${users.join(', ')} use it, and they are not part of it)` : ''}`;
  }
  if (EXTRA_ROLES.includes(c.role)) return `${c.product ?? c.service.name} is not reached by the Django code or the frontend: not part of the generated app`;
  return 'not part of the generated app';
}
