import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { eventCatalogue } from "../../lambdas/contracts/events/index.js";
import { tableDocs } from "../../lambdas/contracts/tables/index.js";

const README = readFileSync(fileURLToPath(new URL("../../README.md", import.meta.url)), "utf8");

describe("README", () => {
  it("documents every table exactly as the definitions in lambdas/contracts/tables/", () => {
    expect(README).toContain(tableDocs());
  });

  it("catalogues every event exactly as the contracts in lambdas/contracts/events/", () => {
    expect(README).toContain(eventCatalogue());
  });

  it("gives the install and test commands that .ci/run runs", () => {
    const ci = readFileSync(fileURLToPath(new URL("../../.ci/run", import.meta.url)), "utf8");
    expect(ci).toMatch(/^npm test$/m);
    expect(README).toMatch(/^npm test {2,}#/m);
    // npm ci: exactly what package-lock.json pins, and a clean clone stays clean after the install.
    expect(ci).toMatch(/^npm ci\b/m);
    expect(README).toMatch(/^npm ci && npm start {2,}#/m);
  });
});
