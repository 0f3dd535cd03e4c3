/** Jest in native ESM mode (NODE_OPTIONS=--experimental-vm-modules), TypeScript through ts-jest. */
export default {
  testEnvironment: "node",
  extensionsToTreatAsEsm: [".ts"],
  moduleNameMapper: { "^(\\.{1,2}/.*)\\.js$": "$1" },
  transform: {
    "^.+\\.ts$": ["ts-jest", { useESM: true, diagnostics: { ignoreCodes: [151002] } }],
  },
  roots: ["<rootDir>/test"],
  testMatch: ["**/*.test.ts"],
  collectCoverageFrom: ["lambdas/**/*.ts", "local/**/*.ts", "producers/**/*.ts"],
  coverageThreshold: { global: { lines: 80, branches: 70 } },
  testTimeout: 60000,
  // One worker per core: Jest's default (cores - 1) runs the suite serially on a 2-core machine, though
  // most suites wait on child processes, sockets and DuckDB (measured: 3 min 52 s serial, 2 min 7 s on 2).
  maxWorkers: "100%",
  reporters: ["default", "<rootDir>/test/helpers/summary-reporter.cjs"],
  setupFiles: ["<rootDir>/test/helpers/env.cjs"],
};
