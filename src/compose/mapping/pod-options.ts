// Maps what PodOptions express (pull_policy, placement constraints, file secrets and configs) and adds the
// PodOptions collected per workload to the props of that workload.
import { Draft, ExtraVolumeProps, PodOptionsProps } from './chart-props';
import { A, C, D, MappingContext, memberOf, Workload } from './context';
import { dnsLabel, isObject, listOf, secretKeyFor } from './values';
import { DjangoAppChartProps } from '../../app/django-app-chart';
import { ImagePullPolicy } from '../../platform/pod-options';

/** pull_policy, placement constraints, file secrets and configs: what PodOptions express. */
export function podOptionKeys(ctx: MappingContext): void {
  const policies: Record<string, keyof typeof ImagePullPolicy> = { missing: 'IF_NOT_PRESENT', if_not_present: 'IF_NOT_PRESENT', never: 'NEVER' };
  for (const [w, members] of ctx.membership) {
    if (w === 'edge') continue;
    for (const c of members) {
      const s = c.service.spec;
      const o = ctx.out(c);
      const shared = members.length > 1 ? `; it applies to every ${memberOf(w)}` : '';
      if (s.pull_policy !== undefined) {
        const pp = String(s.pull_policy);
        if (policies[pp]) {
          ctx.podOf(w).imagePullPolicy = ImagePullPolicy[policies[pp]];
          o.set('pull_policy', members.length > 1 ? A : C, `${w}.imagePullPolicy ImagePullPolicy.${policies[pp]}${shared}`);
        } else if (pp === 'always') {
          o.set('pull_policy', C, 'the kubelet pulls a tagged image on every start (imagePullPolicy Always, the default)');
        } else {
          o.set('pull_policy', D, `pull_policy ${pp}: CI builds the image; the cluster only pulls it`);
        }
      }
      const placement = isObject(s.deploy) && isObject(s.deploy.placement) ? s.deploy.placement : undefined;
      if (placement) {
        const carried: string[] = [];
        const dropped: string[] = [];
        for (const x of listOf(placement.constraints).map(String)) {
          const m = /^node\.labels\.([A-Za-z0-9._/-]+)\s*==\s*(\S+)$/.exec(x);
          if (m) {
            ctx.podOf(w).nodeSelector.set(m[1], m[2]);
            carried.push(`${m[1]}=${m[2]}`);
          } else {
            dropped.push(x);
          }
        }
        const rest = Object.keys(placement).filter((k) => k !== 'constraints');
        o.set('deploy.placement', dropped.length || rest.length || members.length > 1 ? A : C,
          `${carried.length ? `${w}.nodeSelector ${carried.join(', ')} (the nodes must carry the label)` : 'no node label constraint'}${dropped.length ? `; not carried: ${dropped.join(', ')} (swarm node roles and names)` : ''}${rest.length ? `; ${rest.join(', ')} not carried` : ''}${shared}`);
      }
      for (const [key, kind] of [['secrets', 'secret'], ['configs', 'config']] as const) {
        if (s[key] === undefined) continue;
        const mounted: string[] = [];
        for (const x of listOf(s[key])) {
          const source = String(isObject(x) ? x.source : x);
          const target = isObject(x) && typeof x.target === 'string' ? x.target : kind === 'secret' ? source : `/${source}`;
          const mountPath = target.startsWith('/') ? target : `/run/secrets/${target}`;
          const objectName = `${ctx.appName}-${dnsLabel(source)}`;
          const volume: ExtraVolumeProps = {
            name: dnsLabel(`${kind}-${source}`), mountPath, ...(kind === 'secret' ? { secretName: objectName } : { configMapName: objectName }), subPath: secretKeyFor(source),
          };
          ctx.podOf(w).extraVolumes.set(String(volume.name), volume);
          mounted.push(`${objectName} (key ${secretKeyFor(source)}) at ${mountPath}`);
          if (kind === 'config') {
            const declared = isObject(ctx.project.top.configs) ? ctx.project.top.configs[source] : undefined;
            const file = isObject(declared) ? declared.file : undefined;
            ctx.addTodo('Configuration', `Create the ConfigMap ${objectName} with the key ${secretKeyFor(source)}${file ? ` from ${file} (kubectl create configmap ${objectName} --from-file=${secretKeyFor(source)}=${file})` : ''}: ${w} mounts it.`, [c.service.name]);
          }
        }
        o.set(key, members.length > 1 ? A : C, `${w}.extraVolumes: ${kind === 'secret' ? 'the Secret' : 'the ConfigMap'} ${mounted.join(', ')}, read-only${shared}`);
      }
    }
  }
}

/** Adds each workload's PodOptions to its props. */
export function applyPodOptions(ctx: MappingContext, props: Draft<DjangoAppChartProps>): void {
  for (const [w, p] of ctx.pods) {
    const service = /^webServices\[([0-9]+)\]$/.exec(w);
    // The parts are finished; only their PodOptions are added here.
    const part = service ? props.webServices?.[Number(service[1])] : props[w as Exclude<Workload, `webServices[${number}]`>];
    const target = part as Draft<PodOptionsProps> | undefined;
    if (!target) continue;
    if (p.imagePullPolicy) target.imagePullPolicy = p.imagePullPolicy;
    if (p.nodeSelector.size) target.nodeSelector = Object.fromEntries([...p.nodeSelector.entries()].sort(([a], [b]) => (a < b ? -1 : 1)));
    if (p.extraArgs.length) target.extraArgs = [...p.extraArgs];
    if (p.extraEnv.size) target.extraEnv = Object.fromEntries([...p.extraEnv.entries()].sort(([a], [b]) => (a < b ? -1 : 1)));
    if (p.extraSecretEnv.size) target.extraSecretEnv = [...p.extraSecretEnv.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([, v]) => v);
    if (p.extraVolumes.size) target.extraVolumes = [...p.extraVolumes.values()];
  }
}
