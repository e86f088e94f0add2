// Stand-ins for the controllers a real cluster has and this one does not, each doing only what the
// real one does for the objects the render contains, and logging every action so the output shows it:
//   - the External Secrets Operator: for each ExternalSecret, writes its target Secret with the keys
//     its spec.data names, from a "vault" the test fills (the real broker URLs, dummy values
//     elsewhere), owned by the ExternalSecret (creationPolicy Owner), and sets its Ready condition;
//   - the ingress controller (ingress-nginx): publishes a load-balancer address in each Ingress'
//     status, which Argo CD's Ingress health check waits for.
import { createHash } from 'crypto';
import { readFileSync } from 'fs';
import * as path from 'path';
import { condition, elapsed, MINUTE } from './argocd';
import { Api, ApiError, kubectlOk, KubeObject, parseYamlObjects, run, sleep, waitFor } from './kube';

const ESO_GROUP = '/apis/external-secrets.io/v1';
/** The field manager the External Secrets Operator writes with. */
const ESO_MANAGER = 'external-secrets';
/** The load-balancer address the ingress stand-in publishes by default (TEST-NET-1): nobody's, and never connected to. */
const INGRESS_ADDRESS = '192.0.2.10';
/** The External Secrets Operator's CRDs in ../shared/crds (CRDS_DIR). */
const ESO_CRDS = 'external-secrets-v2.9.0';

/**
 * Applies the External Secrets Operator's CRDs and waits until they are Established: the operator is
 * not run (the stand-in below plays it), but its CRDs are part of the platform the renders are written for.
 */
export async function installExternalSecretsCrds(api: Api, fieldManager: string): Promise<void> {
  const crdDir = path.join(path.resolve(__dirname, '../..', process.env.CRDS_DIR ?? '../shared/crds'), ESO_CRDS);
  const crds = (await run('ls', [crdDir])).stdout.split('\n').filter((f) => f.endsWith('.yaml'));
  if (!crds.length) throw new Error(`no External Secrets CRDs in ${crdDir} (set CRDS_DIR)`);
  await kubectlOk(['apply', '--server-side', `--field-manager=${fieldManager}`, ...crds.flatMap((f) => ['-f', path.join(crdDir, f)])]);
  for (const f of crds) {
    for (const crd of parseYamlObjects(readFileSync(path.join(crdDir, f), 'utf8'), f)) {
      await waitFor(`CRD ${crd.metadata.name} Established`, async () => condition(await api.get(`/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${crd.metadata.name}`), 'Established').status === 'True', MINUTE);
    }
  }
}

function b64(s: string): string {
  return Buffer.from(s, 'utf8').toString('base64');
}

export class StandIns {
  /** Remote key -> property -> value: what the secret store holds. */
  readonly vault = new Map<string, Record<string, string>>();
  /** Every action taken, with the seconds since start. */
  readonly log: string[] = [];
  /** How many times each stand-in acted. */
  readonly counts = { secretsWritten: 0, externalSecretsReady: 0, ingressStatuses: 0 };
  private running = false;
  private loop?: Promise<void>;
  private t0 = Date.now();
  private readonly statusWritten = new Map<string, string>(); // ExternalSecret uid -> what its status says
  private lastError?: string;

  /** ingressAddress: what the ingress stand-in writes in each Ingress' status (only written, never connected to). */
  constructor(private readonly api: Api, private readonly namespaces: string[], private readonly ingressAddress = INGRESS_ADDRESS) {}

  start(): void {
    this.t0 = Date.now();
    this.running = true;
    this.loop = (async () => {
      while (this.running) {
        try {
          await this.tick();
          this.lastError = undefined;
        } catch (e) {
          const msg = String(e);
          if (msg !== this.lastError) this.note(`error (retried): ${msg}`);
          this.lastError = msg;
        }
        await sleep(500);
      }
    })();
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
  }

  private note(what: string): void {
    this.log.push(`${elapsed(this.t0)}s ${what}`);
  }

  async tick(): Promise<void> {
    for (const ns of this.namespaces) {
      const externalSecrets = await this.listIfThere(`${ESO_GROUP}/namespaces/${ns}/externalsecrets`);
      for (const es of externalSecrets) await this.syncExternalSecret(es);
      const ingresses = await this.listIfThere(`/apis/networking.k8s.io/v1/namespaces/${ns}/ingresses`);
      for (const ing of ingresses) await this.publishIngressAddress(ing);
    }
  }

  private async listIfThere(urlPath: string): Promise<KubeObject[]> {
    try {
      return await this.api.list(urlPath);
    } catch (e) {
      if (e instanceof ApiError && e.statusCode === 404) return []; // no such namespace yet
      throw e;
    }
  }

  /** What the operator would resolve for the ExternalSecret, or the first reference it cannot resolve. */
  private resolve(es: KubeObject): { data?: Record<string, string>; missing?: string } {
    const data: Record<string, string> = {};
    for (const item of es.spec?.data ?? []) {
      const value = this.vault.get(item.remoteRef?.key)?.[item.remoteRef?.property];
      if (value === undefined) return { missing: `${item.remoteRef?.key} property ${item.remoteRef?.property}` };
      data[item.secretKey] = value;
    }
    return { data };
  }

  private async syncExternalSecret(es: KubeObject): Promise<void> {
    const ns = es.metadata.namespace!;
    const target = es.spec?.target?.name ?? es.metadata.name;
    const { data, missing } = this.resolve(es);
    let status: { ok: boolean; message: string };
    if (data) {
      const encoded = Object.fromEntries(Object.entries(data).map(([k, v]) => [k, b64(v)]));
      const live = await this.api.get(`/api/v1/namespaces/${ns}/secrets/${target}`).catch((e) => {
        if (e instanceof ApiError && e.statusCode === 404) return undefined;
        throw e;
      });
      const same = live && JSON.stringify(Object.entries(live.data ?? {}).sort()) === JSON.stringify(Object.entries(encoded).sort());
      if (!same) {
        await this.api.apply(`/api/v1/namespaces/${ns}/secrets/${target}`, {
          apiVersion: 'v1',
          kind: 'Secret',
          metadata: {
            name: target,
            namespace: ns,
            labels: { 'reconcile.external-secrets.io/managed': 'true' },
            ownerReferences: es.spec?.target?.creationPolicy === 'Owner' || !es.spec?.target?.creationPolicy
              ? [{ apiVersion: 'external-secrets.io/v1', kind: 'ExternalSecret', name: es.metadata.name, uid: es.metadata.uid, controller: true, blockOwnerDeletion: true }]
              : [],
          },
          type: 'Opaque',
          data: encoded,
        }, ESO_MANAGER);
        this.counts.secretsWritten++;
        this.note(`External Secrets stand-in: ${live ? 'updated' : 'created'} Secret ${ns}/${target} (keys ${Object.keys(data).join(', ')}) for ExternalSecret ${es.metadata.name}`);
      }
      status = { ok: true, message: 'Secret was synced (by the cluster test, standing in for the External Secrets Operator)' };
    } else {
      status = { ok: false, message: `could not get secret data from provider: ${missing} not found (cluster test stand-in)` };
    }
    const digest = createHash('sha256').update(JSON.stringify([status, data ?? {}, es.metadata.generation])).digest('hex').slice(0, 16);
    const ready = (es.status?.conditions ?? []).find((c: any) => c.type === 'Ready');
    if (this.statusWritten.get(es.metadata.uid as string) === digest && ready?.status === (status.ok ? 'True' : 'False')) return;
    const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    await this.api.apply(`${ESO_GROUP}/namespaces/${ns}/externalsecrets/${es.metadata.name}/status`, {
      apiVersion: 'external-secrets.io/v1',
      kind: 'ExternalSecret',
      metadata: { name: es.metadata.name, namespace: ns },
      status: {
        conditions: [{
          type: 'Ready',
          status: status.ok ? 'True' : 'False',
          reason: status.ok ? 'SecretSynced' : 'SecretSyncedError',
          message: status.message,
          lastTransitionTime: now,
        }],
        refreshTime: now,
        syncedResourceVersion: `${es.metadata.generation}-${digest}`,
        binding: { name: target },
      },
    }, ESO_MANAGER);
    this.statusWritten.set(es.metadata.uid as string, digest);
    if (status.ok) this.counts.externalSecretsReady++;
    this.note(`External Secrets stand-in: ExternalSecret ${ns}/${es.metadata.name} Ready=${status.ok ? 'True' : 'False'}`);
  }

  private async publishIngressAddress(ing: KubeObject): Promise<void> {
    if ((ing.status?.loadBalancer?.ingress ?? []).length) return;
    const ns = ing.metadata.namespace!;
    await this.api.mergePatch(`/apis/networking.k8s.io/v1/namespaces/${ns}/ingresses/${ing.metadata.name}/status`,
      { status: { loadBalancer: { ingress: [{ ip: this.ingressAddress }] } } });
    this.counts.ingressStatuses++;
    this.note(`ingress controller stand-in: Ingress ${ns}/${ing.metadata.name} status.loadBalancer.ingress = ${this.ingressAddress}`);
  }
}

/**
 * The Secrets an environment's pods and KEDA read, as (Secret name -> keys), from the rendered
 * objects: env and envFrom of every pod template, secret volumes, and TriggerAuthentications.
 */
export function secretKeysRead(objects: any[]): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  const add = (name: string, key?: string) => {
    if (!out.has(name)) out.set(name, new Set());
    if (key) out.get(name)!.add(key);
  };
  for (const o of objects) {
    const spec = o.spec?.template?.spec ?? o.spec?.jobTemplate?.spec?.template?.spec;
    const containers = [...(spec?.containers ?? []), ...(spec?.initContainers ?? [])];
    for (const c of containers) {
      for (const e of c.env ?? []) if (e.valueFrom?.secretKeyRef) add(e.valueFrom.secretKeyRef.name, e.valueFrom.secretKeyRef.key);
      for (const e of c.envFrom ?? []) if (e.secretRef) add(e.secretRef.name);
    }
    // A Secret volume reads the keys its items name, or the keys its mounts take by subPath when every
    // mount takes one; otherwise the whole Secret.
    const mounts = containers.flatMap((c: any) => c.volumeMounts ?? []);
    for (const v of spec?.volumes ?? []) {
      if (!v.secret) continue;
      const subPaths = mounts.filter((m: any) => m.name === v.name).map((m: any) => m.subPath);
      const keys: string[] = v.secret.items?.map((i: any) => i.key)
        ?? (subPaths.length && subPaths.every((p: string | undefined) => p) ? subPaths : []);
      if (keys.length) keys.forEach((k) => add(v.secret.secretName, k));
      else add(v.secret.secretName);
    }
    if (o.kind === 'TriggerAuthentication') for (const r of o.spec?.secretTargetRef ?? []) add(r.name, r.key);
  }
  return out;
}
