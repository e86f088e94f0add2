import { Component, cdk8s, javascript } from 'projen';
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
  // @types/node stays unpinned (minNodeVersion alone would pin it to ^22): the lockfile keeps its version.
  devDeps: ['cdk8s-plus-27@^2.9.5', 'cdk8s-cli@^2.200.0', '@types/node'],
  // jsii packages carry their non-jsii dependencies bundled. The render diff parses YAML at run time;
  // `k8s-topology run` turns a team's TypeScript app into JavaScript with sucrase (pure JS, about 3 MB
  // with its dependencies, loads in about 50 ms: TypeScript's own transpileModule would be 24 MB and
  // 200 ms, and TypeScript 7 has no JavaScript API at all).
  bundledDeps: ['yaml@^2.5.0', 'sucrase@^3.35.1'],
  // Node 20 is past its end of life (2026-04-30) and jsii's support for it (2026-10-30). Supported: the LTS
  // releases that jsii supports, 22 and 24 (engines in package.json); the README's path is also tested on 26,
  // the LTS release since October 2026 (hack/package/readme-path.js). The workflows keep the newest LTS.
  minNodeVersion: '22.0.0',
  workflowNodeVersion: 'lts/*',
  keywords: ['cdk8s', 'kubernetes', 'django', 'celery', 'nuxt', 'keda', 'argocd'],
  jestOptions: {
    // Snapshots are only rewritten on purpose, by `npm run test:update`.
    updateSnapshot: UpdateSnapshot.NEVER,
    passWithNoTests: false,
    jestConfig: {
      // `npm test` is the unit tests: projen's testMatch takes files named *.test.ts (or *.spec.ts).
      // Tests that need something outside npm or start a process (git, ts-node, tsc, npm, a real nginx,
      // the validators) are *.integration.ts, run by `npm run test:integration`
      // (test/integration.jest.config.js); the cluster suite is *.cluster.ts. Neither name matches, and
      // both are ignored here even if testMatch grows.
      testPathIgnorePatterns: ['/node_modules/', '/\\.cache/', '\\.integration\\.ts$', '\\.cluster\\.ts$'],
      // A unit test that starts a process fails, naming the command.
      setupFilesAfterEnv: ['<rootDir>/test/no-processes.ts'],
      // Every temporary folder of the run goes into one, removed at the end (test/temp-root.ts).
      globalSetup: '<rootDir>/test/temp-root.ts',
      globalTeardown: '<rootDir>/test/temp-root-teardown.ts',
      // Jest's default is one worker less than the cores: on our 2-core machines, one file at a time.
      // Two workers take the same CPU time (measured on ten files) and use both cores.
      maxWorkers: '100%',
      // Babel's instrumentation, not V8's: with V8 the run took 64 s here, 45 s of it turning V8's
      // coverage of every loaded module back into source positions; with Babel, 22 s (37 s cold cache).
      coverageProvider: 'babel',
      // Generated CRD bindings would drown the report of our own code.
      coveragePathIgnorePatterns: ['/node_modules/', '/src/crds/'],
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

// The npm package holds what a consumer uses: lib/ and .jsii, README, LICENSE, API.md, the docs about what
// the package does, the example app the README points to, and contrib/django (the app-side kit for Django
// and Celery, which the README tells consumers to install). Not the scripts and suites of this repository
// (hack/, .ci/, test/, src/), its own cdk8s.yaml, nor the docs about its CI, suites, benchmark and
// releases (the README links those absolutely). test/package/pack.integration.ts checks the list.
const CONSUMER_DOCS = ['ARCHITECTURE', 'EDGE', 'IMPORT', 'RENDERING', 'STATS', 'TOPOLOGY'];
for (const pattern of ['/hack/', '/.ci/', '/.shellcheckrc', '/cdk8s.yaml', '/docs/*', ...CONSUMER_DOCS.map((doc) => `!/docs/${doc}.md`)]) {
  project.addPackageIgnore(pattern);
}
// The validation gate's TypeScript (src/validate/, not exported from index.ts) compiles with the library
// but is a script of this repository like hack/, so its output stays out of the package too.
project.addPackageIgnore('/lib/validate/');
// The shop's own Django project (examples/shop/app/) is the source of the images hack/images/ builds for
// the suites, not part of the example a consumer reads: it stays out of the package too.
project.addPackageIgnore('/examples/shop/app/');

// The CLI every consumer gets; our own tasks call the compiled file directly.
project.addBins({ 'k8s-topology': 'lib/cli/main.js' });
// Settings the render and the rendered branch read from package.json (see docs/RENDERING.md).
project.package.addField('k8sTopology', {
  annotationDomain: 'picvario.io',
  gitAuthor: 'Picvario render <render@picvario.example>',
});

// `cdk8s synth` deletes its output folder before writing, and jsii packages live in dist/,
// so the render gets a folder of its own (cdk8s.yaml: app and output).
project.addTask('render', {
  description: 'Render every environment with the k8s-topology CLI (the app and output folder of cdk8s.yaml)',
  exec: 'node lib/cli/main.js render',
});
project.addTask('synth', {
  description: 'Compile, then render every Picvario environment into dist/manifests/',
  steps: [{ spawn: 'compile' }, { spawn: 'render' }],
});

// Not part of any test suite: CPU ratios against plain cdk8s, read as described in docs/PERFORMANCE.md.
project.addTask('bench', {
  description: 'Compile, then measure the render against plain cdk8s and the yaml floor (CPU time, N = 1, 10, 100 environments; docs/PERFORMANCE.md)',
  steps: [{ spawn: 'compile' }, { exec: 'node hack/bench/run.js', receiveArgs: true }],
});

project.addTask('render:examples', {
  description: 'Render every app under examples/ with the k8s-topology CLI into examples/<app>/dist/manifests/',
  exec: 'bash hack/examples/render.sh',
});

// Every compose fixture of the importer, imported and rendered as a team would (docs/IMPORT.md).
project.addTask('render:compose', {
  description: 'Import every compose fixture (test/compose/fixtures/) with k8s-topology import into dist/compose/<fixture>/app/ and render it into dist/compose/<fixture>/manifests/',
  exec: 'bash test/compose/render-fixtures.sh',
  receiveArgs: true,
});
project.addTask('validate:compose', {
  description: 'npm run render:compose, then the validation gate on every render, with the findings each fixture\'s validate-exceptions.yaml accepts',
  exec: 'bash test/compose/render-fixtures.sh --validate',
  receiveArgs: true,
});

// The CRD bindings are generated into src/crds/ (cdk8s import's own default is imports/): never
// edited by hand, so never linted, and marked generated for reviews.
project.addTask('import:crds', {
  description: 'Regenerate the CRD bindings under src/crds/ from ../shared/crds/',
  exec: 'bash hack/import-crds.sh',
});
project.eslint!.addIgnorePattern('/src/crds/');
project.gitattributes.addAttributes('/src/crds/**', 'linguist-generated');

project.addTask('validate', {
  description: 'Render if needed, then run kubeconform (-strict, 1.27 and newest), kube-score, the apiVersion lifecycle check, trivy and the cyclonus traffic matrix on every folder',
  exec: 'bash hack/validate/run.sh',
  receiveArgs: true,
});
project.addTask('test:faults', {
  description: 'Kill Celery workers under real Redis and RabbitMQ brokers and count lost tasks',
  exec: 'bash hack/faults/run.sh',
  receiveArgs: true,
});
project.addTask('test:kit', {
  description: 'The app-side kit (contrib/django) built as a wheel and tested with pytest-django against a throwaway PostgreSQL 15 and versitygw (S3) on loopback',
  exec: 'bash hack/kit/test.sh',
  receiveArgs: true,
});
project.addTask('test:images', {
  description: 'Build the shop\'s images (Debian packages, hashed wheels), serve them from a loopback registry, resolve every rendered image reference, and run each container of the render under runc',
  exec: 'bash hack/images/test.sh',
});
project.addTask('test:cluster', {
  description: 'Apply every environment to a real kube-apiserver with kwok nodes; drain, lose a zone, roll out',
  exec: 'bash hack/control-plane/test.sh',
  receiveArgs: true,
});
project.addTask('publish:rendered', {
  description: 'Commit the render to the rendered branch (one folder per environment) with git plumbing',
  exec: 'node lib/cli/main.js publish',
  receiveArgs: true,
});
project.addTask('diff', {
  description: 'Show what changed between two renders and fail on changes Kubernetes rejects or that cause downtime',
  exec: 'node lib/cli/main.js diff',
  receiveArgs: true,
});
project.addTask('diff:rendered', {
  description: 'The render against the rendered branch (what Argo CD syncs): every change, and a failure on unsafe ones',
  exec: 'bash hack/render/guard.sh',
});
project.addTask('test:package', {
  description: 'Pack the npm and Python packages and synthesize a small app with each in a throwaway project; run the README\'s path as written on each supported Node',
  exec: 'bash hack/package/test.sh',
  receiveArgs: true,
});
// The README's "Another team's path" alone (test:package runs it too): its blocks, as written, on Node 22, 24
// and 26 with TypeScript 5.9, 6 and 7, from the packed tarball. Arguments go to the script (--cells 24:7).
project.addTask('test:readme', {
  description: 'Pack the npm package, then run the README\'s "Another team\'s path" as written in fresh projects, one per Node and TypeScript release (hack/package/readme-path.js)',
  steps: [
    { spawn: 'compile' },
    { exec: 'rm -rf dist/js' },
    { spawn: 'package:js' },
    { exec: 'node hack/package/readme-path.js --tarball dist/js/*.tgz', receiveArgs: true },
  ],
});
// Lint errors fail CI: under CI the eslint task reports and never rewrites the checkout with --fix.
// Locally it still fixes what it can. projen rebuilds the eslint task while the other components get
// ready for synthesis, so this runs last, in preSynthesize. (The conditions are node, not shell
// syntax, so they run the same in projen's own shell.)
class EslintNoFixUnderCi extends Component {
  public preSynthesize(): void {
    const task = project.eslint!.eslintTask;
    const argv = task.steps[0].execArgs!;
    task.reset();
    task.execArgs(argv, {
      name: 'eslint --fix (CI is not set)',
      condition: 'node -e "process.exit(process.env.CI ? 1 : 0)"',
      receiveArgs: true,
    });
    task.execArgs(argv.filter((arg) => arg !== '--fix'), {
      name: 'eslint without --fix (CI is set)',
      condition: 'node -e "process.exit(process.env.CI ? 0 : 1)"',
      receiveArgs: true,
    });
  }
}
new EslintNoFixUnderCi(project);

// The app-side kit's wheel (contrib/django) is built beside the jsii package's, so the release's PyPI job,
// which publishes dist/python, publishes both at the same version.
project.tasks.tryFind('package:python')!.exec('bash hack/package/kit-wheel.sh dist/python');

project.addTask('test:integration', {
  description: 'Tests that need more than npm or start processes (*.integration.ts): git, ts-node, tsc, npm, a real nginx, the validators; installs nginx if missing',
  steps: [
    { exec: 'bash hack/nginx/install.sh' },
    { exec: 'jest --ci --config test/integration.jest.config.js', receiveArgs: true },
  ],
});
// Jest transpiles each test file on its own (isolatedModules), so a type error in a test never fails a
// run: the tests are type-checked as a whole here (test/tsconfig.typecheck.json), with the library's
// re-exports resolved and the examples' '@picvario/k8s-topology' read from src/, as jest maps it.
project.addTask('typecheck:tests', {
  description: 'tsc on the tests and the examples they import (jest only transpiles them)',
  exec: 'tsc --noEmit -p test/tsconfig.typecheck.json',
});
project.addTask('lint:shell', {
  description: 'shellcheck (Debian\'s, pinned; installed if missing) on every shell script under hack/ and .ci/',
  exec: 'bash hack/lib/lint-shell.sh',
  receiveArgs: true,
});

project.addTask('test:all', {
  description: 'Everything CI runs: installs, unit tests, shell lint, integration (real nginx, validators), render, validate, Celery faults, cluster, package',
  // A script, not steps: it runs the Go builds in the background while the suites that need none run.
  exec: 'bash hack/test-all.sh',
});

project.synth();
