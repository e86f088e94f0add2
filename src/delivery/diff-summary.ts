import { KubeObject, kindOf, nameOf, namespaceOf, VERSION_LABEL } from './kube-object';

/** An image repository whose tags changed in one folder of the render. */
export interface ImageTagChange {
  /** The image repository, without tag or digest, e.g. `registry.example.com/shop/api`. */
  readonly repository: string;
  /**
   * Its tags in the old render, sorted: `1.4.0`, `1.4.0@sha256:0123456789ab` or `sha256:0123456789ab`
   * (digests shortened to 12 hex digits). Empty when no workload of the folder ran it.
   */
  readonly before: string[];
  /** Its tags in the new render, as `before`. Empty when no workload of the folder runs it any more. */
  readonly after: string[];
  /** The workloads (by name, sorted) whose containers of this repository changed, were added or were removed. */
  readonly workloads: string[];
}

/** The release and the image tags of one folder of the render that runs workloads (an environment), where either changed. */
export interface FolderChangeSummary {
  /** The folder, e.g. `production`. */
  readonly folder: string;
  /** The `app.kubernetes.io/version` labels of its objects' metadata in the old render, sorted; empty for a new folder. */
  readonly releasesBefore: string[];
  /** The same in the new render; empty for a removed folder. */
  readonly releasesAfter: string[];
  /** The image repositories whose tags changed, sorted by repository. */
  readonly images: ImageTagChange[];
}

/** An object of a render with the folder it came from. */
export interface FolderObject {
  readonly folder: string;
  readonly object: KubeObject;
}

/** The pod spec of a workload: a pod template's (Deployment, StatefulSet, DaemonSet, Job, ...), a CronJob's or a Pod's own. */
export function podSpecOf(obj: KubeObject): Record<string, any> | undefined {
  const spec = obj.spec;
  if (!spec || typeof spec !== 'object') return undefined;
  if (kindOf(obj) === 'Pod') return spec;
  return spec.template?.spec ?? spec.jobTemplate?.spec?.template?.spec;
}

/** `repository` and `tag` of an image reference; the tag is `tag`, `tag@sha256:<12 hex>`, `sha256:<12 hex>` or `(no tag)`. */
export function splitImage(reference: string): { repository: string; tag: string } {
  const at = reference.indexOf('@');
  const name = at === -1 ? reference : reference.slice(0, at);
  const digest = at === -1 ? undefined : reference.slice(at + 1).replace(/^(sha256:[0-9a-f]{12})[0-9a-f]{52}$/, '$1');
  const colon = name.lastIndexOf(':');
  const hasTag = colon > name.lastIndexOf('/');
  const repository = hasTag ? name.slice(0, colon) : name;
  const tag = hasTag ? name.slice(colon + 1) : undefined;
  return { repository, tag: [tag, digest].filter(Boolean).join('@') || '(no tag)' };
}

/** repository → tags run by one workload's containers and init containers. */
function imagesOf(obj: KubeObject): Map<string, Set<string>> {
  const images = new Map<string, Set<string>>();
  const pod = podSpecOf(obj);
  for (const list of [pod?.initContainers, pod?.containers]) {
    if (!Array.isArray(list)) continue;
    for (const c of list) {
      if (typeof c?.image !== 'string') continue;
      const { repository, tag } = splitImage(c.image);
      const tags = images.get(repository) ?? new Set<string>();
      tags.add(tag);
      images.set(repository, tags);
    }
  }
  return images;
}

interface FolderSide {
  readonly releases: Set<string>;
  /** workload key → its name and images */
  readonly workloads: Map<string, { readonly name: string; readonly images: Map<string, Set<string>> }>;
}

function sides(objects: FolderObject[]): Map<string, FolderSide> {
  const folders = new Map<string, FolderSide>();
  for (const { folder, object } of objects) {
    let side = folders.get(folder);
    if (!side) {
      side = { releases: new Set(), workloads: new Map() };
      folders.set(folder, side);
    }
    const release = object.metadata?.labels?.[VERSION_LABEL];
    if (typeof release === 'string' && release) side.releases.add(release);
    const images = imagesOf(object);
    if (images.size) side.workloads.set(`${kindOf(object)}/${namespaceOf(object) ?? ''}/${nameOf(object)}`, { name: nameOf(object), images });
  }
  return folders;
}

const sorted = (values: Iterable<string>) => [...values].sort();
const same = (a: string[], b: string[]) => a.length === b.length && a.every((v, i) => v === b[i]);

function imageChanges(before: FolderSide | undefined, after: FolderSide | undefined): ImageTagChange[] {
  const workloads = [...new Set([...(before?.workloads.keys() ?? []), ...(after?.workloads.keys() ?? [])])].sort();
  const repositories = new Set<string>();
  for (const side of [before, after]) for (const w of side?.workloads.values() ?? []) for (const r of w.images.keys()) repositories.add(r);
  const changes: ImageTagChange[] = [];
  for (const repository of sorted(repositories)) {
    const all = (side: FolderSide | undefined) =>
      sorted(new Set([...(side?.workloads.values() ?? [])].flatMap((w) => [...(w.images.get(repository) ?? [])])));
    const tagsBefore = all(before);
    const tagsAfter = all(after);
    const changed: string[] = [];
    let retagged = false;
    for (const key of workloads) {
      const old = sorted(before?.workloads.get(key)?.images.get(repository) ?? []);
      const now = sorted(after?.workloads.get(key)?.images.get(repository) ?? []);
      if (same(old, now)) continue;
      changed.push((after?.workloads.get(key) ?? before!.workloads.get(key)!).name);
      if (old.length && now.length) retagged = true;
    }
    // A workload added or removed with a tag the folder runs anyway is no tag change.
    if (!retagged && same(tagsBefore, tagsAfter)) continue;
    changes.push({ repository, before: tagsBefore, after: tagsAfter, workloads: sorted(new Set(changed)) });
  }
  return changes;
}

/**
 * Per folder whose release or image tags differ between the renders: the releases and the image tag
 * changes. Only folders that run workloads (an environment, not the Argo CD folder) are summarized.
 */
export function summarizeRenders(before: FolderObject[], after: FolderObject[]): FolderChangeSummary[] {
  const a = sides(before);
  const b = sides(after);
  const summaries: FolderChangeSummary[] = [];
  for (const folder of sorted(new Set([...a.keys(), ...b.keys()]))) {
    if (!a.get(folder)?.workloads.size && !b.get(folder)?.workloads.size) continue;
    const releasesBefore = sorted(a.get(folder)?.releases ?? []);
    const releasesAfter = sorted(b.get(folder)?.releases ?? []);
    const images = imageChanges(a.get(folder), b.get(folder));
    if (images.length || !same(releasesBefore, releasesAfter)) summaries.push({ folder, releasesBefore, releasesAfter, images });
  }
  return summaries;
}

const MAX_NAMED_WORKLOADS = 4;

function joined(values: string[]): string {
  return values.length ? values.join(', ') : '(none)';
}

/**
 * The summary that heads the diff:
 * ```
 * Releases and images:
 *   production: release 1.4.0 -> 1.5.0
 *     image registry.example.com/shop/api: 1.4.0 -> 1.5.0 (backend, beat, migrate, worker-default and 1 more)
 *   staging: release 1.5.0 unchanged
 *     image docker.io/nginxinc/nginx-unprivileged: 1.27.3-alpine -> 1.27.4-alpine (edge)
 * ```
 * or `Releases and images: unchanged`.
 */
export function formatSummary(summaries: FolderChangeSummary[]): string[] {
  if (!summaries.length) return ['Releases and images: unchanged'];
  const lines = ['Releases and images:'];
  for (const s of summaries) {
    const release = same(s.releasesBefore, s.releasesAfter)
      ? (s.releasesAfter.length ? `release ${joined(s.releasesAfter)} unchanged` : 'no release label')
      : `release ${joined(s.releasesBefore)} -> ${joined(s.releasesAfter)}`;
    lines.push(`  ${s.folder}: ${release}`);
    for (const i of s.images) {
      const named = i.workloads.slice(0, MAX_NAMED_WORKLOADS).join(', ');
      const more = i.workloads.length > MAX_NAMED_WORKLOADS ? ` and ${i.workloads.length - MAX_NAMED_WORKLOADS} more` : '';
      lines.push(`    image ${i.repository}: ${joined(i.before)} -> ${joined(i.after)} (${named}${more})`);
    }
  }
  return lines;
}
