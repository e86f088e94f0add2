import { cdk8s, javascript } from 'projen';
import { UpdateSnapshot } from 'projen/lib/javascript';

const project = new cdk8s.ConstructLibraryCdk8s({
  name: '@picvario/k8s-topology',
  description: 'cdk8s constructs for running a Django + Celery + Nuxt product on Kubernetes, and the Picvario environments built from them.',
  author: 'Picvario Platform Team',
  authorAddress: 'platform@picvario.example',
  repositoryUrl: 'https://github.com/picvario/k8s-topology.git',
  defaultReleaseBranch: 'main',
  packageManager: javascript.NodePackageManager.NPM,
  projenrcTs: true,
  jsiiVersion: '~6.0.0',
  // cdk8s-plus-27 needs constructs ^10.3; projen's default (10.0.0) does not resolve with it.
  cdk8sVersion: '2.70.0',
  constructsVersion: '10.3.0',
  peerDeps: ['cdk8s-plus-27@^2.9.5'],
  devDeps: ['cdk8s-plus-27@^2.9.5', 'cdk8s-cli@^2.200.0'],
  // The render diff parses YAML at run time; jsii packages carry non-jsii dependencies bundled.
  bundledDeps: ['yaml@^2.5.0'],
  keywords: ['cdk8s', 'kubernetes', 'django', 'celery', 'nuxt', 'keda', 'argocd'],
  jestOptions: {
    // Snapshots are only rewritten on purpose, by `npm run test:update`.
    updateSnapshot: UpdateSnapshot.NEVER,
    passWithNoTests: false,
    jestConfig: {
      testPathIgnorePatterns: ['/node_modules/', '/\\.cache/'],
      // Generated CRD bindings would drown the report of our own code.
      coveragePathIgnorePatterns: ['/node_modules/', '/src/imports/'],
      // The example apps import the package by name, as a consumer does; the tests run them against src/.
      moduleNameMapper: { '^@picvario/k8s-topology$': '<rootDir>/src/index.ts' },
    },
  },
  gitignore: ['/.cache/', '/hack/**/bin/', '/.venv/', '/examples/node_modules/', '/examples/*/dist/'],
  npmignoreEnabled: true,
  // Django teams often write their cdk8s apps in Python.
  publishToPypi: {
    distName: 'picvario-k8s-topology',
    module: 'picvario_k8s_topology',
  },
});

// The CLI every consumer gets; our own tasks call the compiled file directly.
project.addBins({ 'k8s-topology': 'lib/delivery/cli/main.js' });
// Settings the render and the rendered branch read from package.json (see docs/RENDERING.md).
project.package.addField('k8sTopology', {
  annotationDomain: 'picvario.io',
  gitAuthor: 'Picvario render <render@picvario.example>',
});

// `cdk8s synth` deletes its output folder before writing, and jsii packages live in dist/,
// so the render gets a folder of its own (cdk8s.yaml: app and output).
project.addTask('render', {
  description: 'Render every environment with the k8s-topology CLI (the app and output folder of cdk8s.yaml)',
  exec: 'node lib/delivery/cli/main.js render',
});
project.addTask('synth', {
  description: 'Compile, then render every Picvario environment into dist/manifests/',
  steps: [{ spawn: 'compile' }, { spawn: 'render' }],
});

project.addTask('render:examples', {
  description: 'Render every app under examples/ with the k8s-topology CLI into examples/<app>/dist/manifests/',
  exec: 'bash hack/examples/render.sh',
});

project.addTask('import:crds', {
  description: 'Regenerate the CRD bindings under src/imports/ from ../shared/crds/',
  exec: 'bash hack/import-crds.sh',
});

project.addTask('validate', {
  description: 'Render if needed, then run kubeconform (-strict, 1.27 and newest), kube-score and the apiVersion lifecycle check on every environment',
  exec: 'bash hack/validate/run.sh',
  receiveArgs: true,
});
project.addTask('test:faults', {
  description: 'Kill Celery workers under real Redis and RabbitMQ brokers and count lost tasks',
  exec: 'bash hack/faults/run.sh',
  receiveArgs: true,
});
project.addTask('test:cluster', {
  description: 'Apply every environment to a real kube-apiserver with kwok nodes; drain, lose a zone, roll out',
  exec: 'bash hack/control-plane/test.sh',
  receiveArgs: true,
});
project.addTask('publish:rendered', {
  description: 'Commit the render to the rendered branch (one folder per environment) with git plumbing',
  exec: 'node lib/delivery/cli/main.js publish',
  receiveArgs: true,
});
project.addTask('diff', {
  description: 'Show what changed between two renders and fail on changes Kubernetes rejects or that cause downtime',
  exec: 'node lib/delivery/cli/main.js diff',
  receiveArgs: true,
});
project.addTask('test:package', {
  description: 'Pack the npm and Python packages and synthesize a small app with each in a throwaway project',
  exec: 'bash hack/package/test.sh',
  receiveArgs: true,
});
project.addTask('test:all', {
  description: 'Everything CI runs: unit tests, real-nginx tests, validators, Celery fault tests, cluster tests',
  steps: [
    { exec: 'bash hack/bootstrap.sh' },
    { spawn: 'test' },
    { spawn: 'synth' },
    { spawn: 'validate' },
    { spawn: 'test:faults' },
    { spawn: 'test:cluster' },
    { spawn: 'test:package' },
  ],
});

project.synth();
