// Prints the plain closing line CI reads, "N passed, N failed" (", N skipped" if any), as the last
// line of the run: jest prints its own summary after the reporters, so this waits for exit.
class SummaryReporter {
  onRunComplete(_contexts, results) {
    const skipped = results.numPendingTests + results.numTodoTests;
    const line = `${results.numPassedTests} passed, ${results.numFailedTests} failed`;
    process.once("exit", () => process.stderr.write(`${skipped > 0 ? `${line}, ${skipped} skipped` : line}\n`));
  }
}
module.exports = SummaryReporter;
