// Jest configuration of the integration tests (`npm run test:integration`, part of `npm run test:all`):
// files named *.integration.ts anywhere under test/, which start processes or need something outside
// npm: git, ts-node, tsc, npm, a real nginx (hack/nginx/install.sh), the validators
// (hack/validate/install.sh). The unit-test run (`npm test`, testMatch *.test.ts) never picks them up,
// and this configuration picks up nothing else.
// A missing tool fails the test that needs it, with a message naming it; none is skipped.
module.exports = {
  rootDir: '..',
  testMatch: ['<rootDir>/test/**/*.integration.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/\\.cache/'],
  transform: {
    '^.+\\.tsx?$': ['ts-jest', { tsconfig: '<rootDir>/test/tsconfig.json' }],
  },
  testEnvironment: 'node',
  // Every temporary folder of the run goes into one, removed at the end (test/temp-root.ts).
  globalSetup: '<rootDir>/test/temp-root.ts',
  globalTeardown: '<rootDir>/test/temp-root-teardown.ts',
  // Snapshots are only rewritten on purpose (`npm run test:update`); --ci never writes new ones.
  ci: true,
  clearMocks: true,
  testTimeout: 5 * 60 * 1000,
  verbose: true,
};
