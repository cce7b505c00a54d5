/** Tests run from TypeScript sources (ts-jest, transpile only: `npm run build` type-checks);
 *  integration tests start the built gateway (`pretest` builds dist/) as a real child process. */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { diagnostics: false }] },
  testTimeout: 30000,
  maxWorkers: 2,
};
