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

  it("gives the test command that .ci/run runs", () => {
    const ci = readFileSync(fileURLToPath(new URL("../../.ci/run", import.meta.url)), "utf8");
    expect(ci).toMatch(/^npm test$/m);
    expect(README).toMatch(/^npm test {2,}#/m);
  });
});
