// Maps volumes and bind mounts: no PersistentVolumeClaim is generated, so each mount says where its data
// goes (S3, the managed service, a ConfigMap, /tmp) and what the team must move.
import * as fs from 'fs';
import * as path from 'path';
import { KeyStatus } from '../report';
import { isComponentRole, Role, STATEFUL_ROLES } from '../roles';
import { A, C, D, MappingContext } from './context';
import { dnsLabel, isObject, listOf, Mount, parseMount, secretKeyFor, uniq } from './values';

export function dataHint(role: Role): string {
  switch (role) {
    case 'postgres': return 'copy it over with pg_dump and pg_restore (or a replica) before the switch';
    case 'mysql': return 'copy it over with mysqldump (or a replica) before the switch';
    case 'redis': return 'a broker or cache starts empty; drain the queues before the switch (copy with an RDB file only if it holds data the app needs)';
    case 'rabbitmq': return 'export the definitions (rabbitmqctl export_definitions) and drain the queues before the switch';
    case 'elasticsearch': return 'restore a snapshot, or rebuild the indices from the database';
    case 'mongodb': return 'copy it over with mongodump and mongorestore';
    case 'minio': return 'copy the buckets to S3 (mc mirror or aws s3 sync)';
    default: return 'copy it over before the switch';
  }
}

export function mapVolumes(ctx: MappingContext): void {
  const mounts: Mount[] = [];
  for (const c of ctx.classified) {
    for (const [i, v] of listOf(c.service.spec.volumes).entries()) {
      const m = parseMount(c.service.name, i, v);
      if (m) mounts.push(m);
      else ctx.out(c).set(`volumes[${i}]`, D, `not a volume the importer can read: ${JSON.stringify(v)}`);
    }
    if (c.service.spec.volumes !== undefined) ctx.need(c, 'volumes');
  }
  const groups = new Map<string, Mount[]>();
  for (const m of mounts) {
    const id = m.type === 'volume' ? `volume:${m.source}` : m.type === 'bind' ? `bind:${m.source}` : `${m.type}:${m.service}:${m.target}`;
    groups.set(id, [...(groups.get(id) ?? []), m]);
  }
  const topVolumes = isObject(ctx.project.top.volumes) ? ctx.project.top.volumes : {};
  for (const list of groups.values()) {
    const m = list[0];
    const services = uniq(list.map((x) => x.service));
    const shared = services.length > 1;
    const roles = services.map((s) => ctx.role(s)!);
    const text = `${m.source ?? ''} ${list.map((x) => x.target).join(' ')}`.toLowerCase();
    let status: KeyStatus;
    let rec: string;
    const statefulOwner = services.find((s) => STATEFUL_ROLES.includes(ctx.role(s)!));
    const componentUsers = services.filter((s) => isComponentRole(ctx.role(s)!));
    if (m.type === 'tmpfs' || (m.type === 'anonymous' && m.target === '/tmp')) {
      status = m.target === '/tmp' ? C : D;
      rec = m.target === '/tmp' ? 'every pod has a size-limited /tmp (emptyDir), the only writable path' : `only /tmp is writable (read-only root filesystem); ${m.target} is not`;
    } else if (m.type === 'bind' && /docker\.sock/.test(text)) {
      status = D;
      rec = 'the Docker socket is never mounted (Pod Security restricted)';
    } else if (statefulOwner && list.every((x) => x.target.startsWith('/docker-entrypoint-initdb.d'))) {
      status = D;
      rec = `initialisation scripts of ${statefulOwner}: run them once against the managed service (it never runs /docker-entrypoint-initdb.d)`;
      ctx.addTodo('Data', `Run the initialisation scripts of ${m.source} once against the managed ${ctx.byName.get(statefulOwner)?.product ?? 'service'} (extensions, roles).`, [statefulOwner]);
    } else if (statefulOwner && services.every((s) => !isComponentRole(ctx.role(s)!))) {
      status = D;
      rec = `the data of ${statefulOwner} moves with it to the managed service: ${dataHint(ctx.role(statefulOwner)!)}`;
      if (m.type === 'volume' && ctx.externals.has(statefulOwner)) ctx.addTodo('Data', `The volume ${m.source} of ${statefulOwner}: ${dataHint(ctx.role(statefulOwner)!)}.`, [statefulOwner]);
    } else if (/(media|upload|attachment|files|assets|storage|originals|thumbnails)/.test(text)) {
      status = D;
      rec = `media go to S3: the media bucket (settings.mediaBucket); uploads are S3 multipart uploads and workers read originals from S3${shared ? `. Compose shared it between ${services.length} services (${services.join(', ')}): no pod may depend on a shared volume` : ''}; copy the files over (aws s3 sync)`;
      ctx.addTodo('Storage', `Move the ${m.type === 'volume' ? `volume ${m.source}` : `folder ${m.source}`} (${list.map((x) => x.target)[0]}) to the media bucket (aws s3 sync) and make the code read and write media through STORAGES["default"] on S3.`, services);
    } else if (/(static|collected)/.test(text)) {
      status = A;
      rec = 'collectstatic uploads the static files to the statics bucket, and the edge serves /static/ from it';
    } else if (m.type === 'bind' && /\.(pem|crt|key|p12)$|cert|ssl|tls/.test(text)) {
      status = D;
      rec = 'certificates and keys go into a Secret (kubectl create secret tls), or TLS terminates at the ingress controller (edge.clusterIssuer)';
      ctx.addTodo('Edge', `Put the certificates of ${m.source} into a Secret or let cert-manager issue them (edge.clusterIssuer).`, services);
    } else if (m.type === 'bind' && list.every((x) => x.target.startsWith('/etc/nginx')) && roles.every((r) => r === 'nginx-edge')) {
      status = A;
      rec = 'replaced by the generated nginx.conf (ConfigMap edge-nginx); the edge routes below say which locations it covers';
    } else if (m.type === 'bind' && (/^\.\/?$|^\.\/(src|app|backend|frontend|code|web)\/?$/.test(m.source ?? '') || /^\/(app|code|usr\/src\/app|srv|opt\/app|home\/app)(\/|$)/.test(m.target)) && !/\.(conf|ya?ml|json|ini|toml|cfg|py|sh)$/.test(m.source ?? '')) {
      status = D;
      rec = 'a development mount of the source: the image carries the code';
    } else if (m.type === 'bind' && componentUsers.length && list.every((x) => x.readOnly || /\.[a-z]{2,5}$/.test(x.source ?? ''))) {
      // A read-only file or folder of the checkout: a ConfigMap, mounted read-only where compose mounted it.
      const base = path.basename(m.source ?? 'config');
      const configMap = dnsLabel(`${ctx.appName}-${base}`);
      const file = /\.[A-Za-z0-9]+$/.test(base) || (fs.existsSync(path.resolve(ctx.project.dir, m.source ?? '')) && fs.statSync(path.resolve(ctx.project.dir, m.source ?? '')).isFile());
      status = A;
      rec = `the ConfigMap ${configMap}, mounted read-only at the same path (extraVolumes); create it from the ${file ? 'file' : 'folder'}: kubectl create configmap ${configMap} --from-file=${file ? `${secretKeyFor(base)}=` : ''}${m.source}`;
      for (const x of list) {
        const c = ctx.byName.get(x.service)!;
        for (const w of ctx.workloadsOf(c)) {
          ctx.podOf(w).extraVolumes.set(dnsLabel(`config-${base}`), { name: dnsLabel(`config-${base}`), mountPath: x.target, configMapName: configMap, subPath: file ? secretKeyFor(base) : undefined });
        }
      }
      ctx.addTodo('Configuration', `Create the ConfigMap ${configMap} from ${m.source} (kubectl create configmap ${configMap} --from-file=${file ? `${secretKeyFor(base)}=` : ''}${m.source}), or bake the ${file ? 'file' : 'folder'} into the image and drop the mount.`, services);
    } else if (m.type === 'bind') {
      status = D;
      rec = componentUsers.length
        ? `a writable folder of the host (${m.target}): no pod may depend on a host or shared folder; keep this state in S3, the database or Redis`
        : `a configuration file or folder of ${services.join(', ')}, which ${services.length > 1 ? 'are' : 'is'} not part of the generated app`;
      if (componentUsers.length) ctx.addTodo('Storage', `${m.source} (${list.map((x) => `${x.service}:${x.target}`).join(', ')}) is a writable host folder: move what the app writes there to S3, the database or Redis.`, services);
    } else if (m.type === 'anonymous') {
      status = D;
      rec = 'an anonymous volume (a development trick to keep image files under a bind mount); the image has them';
    } else if (componentUsers.length && !shared && componentUsers.every((s) => ctx.role(s) === 'celery-beat')) {
      status = A;
      rec = 'beat keeps its schedule file in /tmp (per pod); with a database scheduler there is no file';
    } else if (componentUsers.length) {
      status = D;
      rec = `state of the app on a volume${shared ? ` shared between ${services.join(', ')}` : ''}: no PersistentVolumeClaim is generated; keep this state in S3, the database or Redis`;
      ctx.addTodo('Storage', `The volume ${m.source} (${list.map((x) => `${x.service}:${x.target}`).join(', ')}) holds state of the app: move it to S3, the database or Redis.`, services);
    } else {
      status = D;
      rec = `used by ${services.join(', ')}, which ${services.length > 1 ? 'are' : 'is'} not part of the generated app`;
    }
    const name = m.type === 'volume' ? m.source! : m.type === 'bind' ? m.source! : `${m.service}:${m.target}`;
    ctx.volumes.push({
      name,
      type: m.type === 'other' ? 'volume' : m.type,
      mounts: list.map((x) => `${x.service}:${x.target}`),
      shared,
      status,
      recommendation: rec,
    });
    for (const x of list) ctx.out(ctx.byName.get(x.service)!).set(`volumes[${x.index}]`, status, `${x.type === 'volume' ? `volume ${x.source}` : x.type === 'bind' ? `bind mount ${x.source}` : x.type} at ${x.target}: ${rec}`);
  }
  for (const name of Object.keys(topVolumes)) {
    if (!ctx.volumes.some((v) => v.type === 'volume' && v.name === name)) {
      ctx.volumes.push({ name, type: 'volume', mounts: [], shared: false, status: D, recommendation: 'not mounted by any active service' });
    }
  }
  ctx.volumes.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
