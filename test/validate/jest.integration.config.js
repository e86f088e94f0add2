// Runs the integration tests of the validation gate (they need the Go-built validators):
//   npx jest -c test/validate/jest.integration.config.js
// Once `npm run test:integration` exists it runs the same files (test/**/*.integration.ts).
const path = require('path');

module.exports = {
  rootDir: path.resolve(__dirname, '..', '..'),
  testMatch: ['<rootDir>/test/validate/**/*.integration.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/\\.cache/'],
  transform: { '^.+\\.[t]sx?$': ['ts-jest', { tsconfig: 'test/tsconfig.json' }] },
  collectCoverage: false,
};
