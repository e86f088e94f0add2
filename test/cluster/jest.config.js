// Jest configuration of the cluster tests only (`npm run test:cluster` -> hack/control-plane/test.sh).
// Their files end in .cluster.ts, so the unit-test run (`npm test`, testMatch *.test.ts) never
// picks them up, and this configuration picks up nothing else.
module.exports = {
  rootDir: '../..',
  testMatch: ['<rootDir>/test/cluster/**/*.cluster.ts'],
  testPathIgnorePatterns: ['/node_modules/'],
  transform: {
    '^.+\\.tsx?$': ['ts-jest', { tsconfig: '<rootDir>/test/tsconfig.json' }],
  },
  // The shop suite renders the example app, which imports the library by its package name.
  moduleNameMapper: { '^@picvario/k8s-topology$': '<rootDir>/src/index.ts' },
  testEnvironment: 'node',
  // In the order test.sh names the files (sequencer.js).
  testSequencer: '<rootDir>/test/cluster/sequencer.js',
  testTimeout: 15 * 60 * 1000,
  verbose: true,
};
