// Reads rendered manifests for the image builder's suite. Plain CommonJS, run by bash:
//
//   node hack/images/pod.js images <manifests dir>
//       every image reference of every container, one a line, sorted, each once
//   node hack/images/pod.js bundle <manifest.yaml> <workload name> <container> <image bundle> <bundle dir> <netns> <values.json>
//       writes <bundle dir>/config.json: the config of <image bundle> (from `umoci unpack`, whose rootfs it
//       shares, read-only) turned into the runtime config the kubelet would give that container: the render's command (or the image's, when the render names none), environment, uid/gid, read-only root, no
//       capabilities, no new privileges, and its volumes (emptyDir: a tmpfs; configMap: the
//       ConfigMap's data (its items, when listed) from the same file, read-only, a subPath as that one file), in the network namespace <netns>.
//       values.json holds what the cluster would supply: {"secrets": {"<secret>/<key>": "..."},
//       "hosts": "<an /etc/hosts file>"}.
// Nothing is patched: a field the translation does not know (a probe aside) fails the run, naming it.
'use strict';

const fs = require('fs');
const path = require('path');
const YAML = require('yaml');

// Errors are thrown, so the tests can catch them; run as a script, one line on stderr and exit 1.
function fail(message) {
  throw new Error(message);
}

function documents(file) {
  return YAML.parseAllDocuments(fs.readFileSync(file, 'utf8')).map((d) => d.toJS()).filter((d) => d && d.kind);
}

function podSpec(doc) {
  switch (doc.kind) {
    case 'Deployment':
    case 'StatefulSet':
    case 'DaemonSet':
    case 'Job':
      return doc.spec.template.spec;
    case 'CronJob':
      return doc.spec.jobTemplate.spec.template.spec;
    default:
      return undefined;
  }
}

function yamlFiles(dir) {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return yamlFiles(full);
    return entry.name.endsWith('.yaml') ? [full] : [];
  });
}

function images(dir) {
  const refs = new Set();
  for (const file of yamlFiles(dir)) {
    for (const doc of documents(file)) {
      const spec = podSpec(doc);
      if (!spec) continue;
      for (const c of [...(spec.initContainers || []), ...spec.containers]) refs.add(c.image);
    }
  }
  if (refs.size === 0) fail(`no container image in ${dir} (render first: npm run render:examples)`);
  return [...refs].sort();
}

// $(VAR) references to earlier variables expand as the kubelet expands them; $$ is a literal $.
function expand(value, env) {
  return value.replace(/\$\$|\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g, (match, name) => {
    if (match === '$$') return '$';
    return name in env ? env[name] : match;
  });
}

// An emptyDir's sizeLimit (256Mi, 1Gi) as a tmpfs size (256m, 1g); without one, 256m.
function tmpfsSize(limit) {
  if (limit === undefined) return '256m';
  const match = /^([0-9]+)(Ki|Mi|Gi)$/.exec(String(limit));
  if (!match) fail(`emptyDir sizeLimit ${limit}: expected <n>Ki, <n>Mi or <n>Gi`);
  return `${match[1]}${match[2][0].toLowerCase()}`;
}

// The files a ConfigMap volume holds: [key, path] for each of its items, or every key at its own name.
function configMapFiles(cm, source, where) {
  if (!source.items) return Object.keys(cm.data || {}).map((key) => [key, key]);
  return source.items.map((item) => {
    if (!(item.key in (cm.data || {}))) fail(`${where}: ConfigMap ${cm.metadata.name} has no key '${item.key}' (it has ${Object.keys(cm.data || {}).join(', ')})`);
    return [item.key, item.path];
  });
}

// The process as the kubelet starts it: the render's command and args; without a command, the image's
// own (umoci writes the image's Entrypoint + Cmd as process.args). Args without a command would replace
// the image's Cmd alone, which the unpacked config no longer tells apart, so they are refused.
function processArgs(container, imageArgs, where) {
  if (container.command) return container.command.concat(container.args || []);
  if (container.args) fail(`${where}: args without a command (the image's Entrypoint and Cmd are not told apart here)`);
  if (imageArgs.length === 0) fail(`${where}: no command in the render and none in the image`);
  return imageArgs;
}

function bundle(manifest, workload, containerName, imageBundle, bundleDir, netns, valuesFile) {
  const values = JSON.parse(fs.readFileSync(valuesFile, 'utf8'));
  const docs = documents(manifest);
  const owner = docs.find((d) => podSpec(d) && d.metadata.name === workload);
  if (!owner) fail(`${manifest} has no workload named '${workload}'`);
  const spec = podSpec(owner);
  const container = spec.containers.find((c) => c.name === containerName);
  if (!container) fail(`${workload} has no container '${containerName}' (it has ${spec.containers.map((c) => c.name).join(', ')})`);
  const security = { ...(spec.securityContext || {}), ...(container.securityContext || {}) };
  if (security.readOnlyRootFilesystem !== true) fail(`${workload}/${containerName}: readOnlyRootFilesystem is not true`);
  if (typeof security.runAsUser !== 'number') fail(`${workload}/${containerName}: no runAsUser`);

  const config = JSON.parse(fs.readFileSync(path.join(imageBundle, 'config.json'), 'utf8'));
  const imageEnv = Object.fromEntries((config.process.env || []).map((e) => [e.slice(0, e.indexOf('=')), e.slice(e.indexOf('=') + 1)]));
  const env = { ...imageEnv, HOSTNAME: `${workload}-0` };
  for (const e of container.env || []) {
    if (e.value !== undefined) {
      env[e.name] = expand(e.value, env);
    } else if (e.valueFrom && e.valueFrom.secretKeyRef) {
      const ref = `${e.valueFrom.secretKeyRef.name}/${e.valueFrom.secretKeyRef.key}`;
      if (!(ref in (values.secrets || {}))) fail(`${workload}/${containerName}: ${e.name} reads Secret key ${ref}, which values.json does not give`);
      env[e.name] = values.secrets[ref];
    } else {
      fail(`${workload}/${containerName}: env ${e.name} has a source the suite does not supply: ${JSON.stringify(e.valueFrom)}`);
    }
  }

  const mounts = [
    { destination: '/proc', type: 'proc', source: 'proc' },
    { destination: '/dev', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'strictatime', 'mode=755', 'size=65536k'] },
    { destination: '/dev/pts', type: 'devpts', source: 'devpts', options: ['nosuid', 'noexec', 'newinstance', 'ptmxmode=0666', 'mode=0620'] },
    { destination: '/dev/shm', type: 'tmpfs', source: 'shm', options: ['nosuid', 'noexec', 'nodev', 'mode=1777', 'size=65536k'] },
    { destination: '/dev/mqueue', type: 'mqueue', source: 'mqueue', options: ['nosuid', 'noexec', 'nodev'] },
    { destination: '/sys', type: 'sysfs', source: 'sysfs', options: ['nosuid', 'noexec', 'nodev', 'ro'] },
  ];
  // What the kubelet mounts into every container: /etc/hosts, and the resolver configuration.
  const etc = path.join(bundleDir, 'etc');
  fs.mkdirSync(etc, { recursive: true });
  fs.writeFileSync(path.join(etc, 'hosts'), values.hosts || '127.0.0.1 localhost\n');
  fs.writeFileSync(path.join(etc, 'resolv.conf'), 'nameserver 127.0.0.1\noptions ndots:5\n');
  for (const file of ['hosts', 'resolv.conf']) {
    mounts.push({ destination: `/etc/${file}`, type: 'bind', source: path.join(etc, file), options: ['rbind', 'ro'] });
  }
  const volumes = Object.fromEntries((spec.volumes || []).map((v) => [v.name, v]));
  for (const m of container.volumeMounts || []) {
    const volume = volumes[m.name];
    if (!volume) fail(`${workload}/${containerName}: volumeMount ${m.name} names no volume`);
    if (volume.emptyDir) {
      // An emptyDir belongs to the pod's fsGroup: writable by the container's uid.
      mounts.push({ destination: m.mountPath, type: 'tmpfs', source: 'tmpfs',
        options: ['nosuid', 'nodev', 'mode=1777', `size=${tmpfsSize(volume.emptyDir.sizeLimit)}`] });
    } else if (volume.configMap) {
      const cm = docs.find((d) => d.kind === 'ConfigMap' && d.metadata.name === volume.configMap.name);
      if (!cm) fail(`${workload}/${containerName}: ConfigMap ${volume.configMap.name} is not in ${manifest}`);
      const dir = path.join(bundleDir, 'volumes', m.name);
      fs.mkdirSync(dir, { recursive: true });
      for (const [key, file] of configMapFiles(cm, volume.configMap, `${workload}/${containerName}`)) {
        fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
        fs.writeFileSync(path.join(dir, file), cm.data[key]);
      }
      // A subPath mounts one file (or folder) of the volume over that path alone, as the kubelet does.
      const source = m.subPath ? path.join(dir, m.subPath) : dir;
      if (!fs.existsSync(source)) fail(`${workload}/${containerName}: volumeMount ${m.name} subPath '${m.subPath}' is not in the volume (it has ${fs.readdirSync(dir).join(', ')})`);
      mounts.push({ destination: m.mountPath, type: 'bind', source, options: ['rbind', m.readOnly ? 'ro' : 'rw'] });
    } else {
      fail(`${workload}/${containerName}: volume ${m.name} is neither an emptyDir nor a ConfigMap: ${JSON.stringify(volume)}`);
    }
  }

  config.process = {
    ...config.process,
    terminal: false,
    args: processArgs(container, config.process.args || [], `${workload}/${containerName}`).map((a) => expand(a, env)),
    env: Object.entries(env).map(([k, v]) => `${k}=${v}`),
    user: { uid: security.runAsUser, gid: security.runAsGroup ?? security.runAsUser, additionalGids: spec.securityContext?.fsGroup ? [spec.securityContext.fsGroup] : [] },
    capabilities: { bounding: [], effective: [], inheritable: [], permitted: [], ambient: [] },
    noNewPrivileges: security.allowPrivilegeEscalation === false,
    rlimits: [{ type: 'RLIMIT_NOFILE', hard: 1024, soft: 1024 }],
  };
  delete config.process.oomScoreAdj; // the VM lacks CAP_SYS_RESOURCE
  config.root = { path: path.resolve(imageBundle, config.root.path), readonly: true };
  config.hostname = `${workload}-0`;
  config.mounts = mounts;
  const linux = config.linux || {};
  linux.namespaces = [
    { type: 'pid' }, { type: 'ipc' }, { type: 'uts' }, { type: 'mount' },
    { type: 'network', path: netns },
  ];
  delete linux.resources;
  delete linux.uidMappings;
  delete linux.gidMappings;
  linux.maskedPaths = ['/proc/kcore', '/proc/keys', '/proc/timer_list', '/sys/firmware'];
  linux.readonlyPaths = ['/proc/bus', '/proc/fs', '/proc/irq', '/proc/sys', '/proc/sysrq-trigger'];
  config.linux = linux;
  fs.writeFileSync(path.join(bundleDir, 'config.json'), JSON.stringify(config, null, 2));
}

function main() {
  const [command, ...args] = process.argv.slice(2);
  if (command === 'images' && args.length === 1) {
    process.stdout.write(images(args[0]).join('\n') + '\n');
  } else if (command === 'bundle' && args.length === 7) {
    bundle(...args);
  } else {
    fail(`usage: pod.js images <manifests dir> | pod.js bundle <manifest.yaml> <workload> <container> <image bundle> <bundle dir> <netns> <values.json>; got: ${process.argv.slice(2).join(' ')}`);
  }
}

if (require.main === module) {
  try {
    main();
  } catch (error) {
    process.stderr.write(`pod.js: ERROR: ${error.message}\n`);
    process.exit(1);
  }
}

module.exports = { images, bundle, expand, tmpfsSize };
