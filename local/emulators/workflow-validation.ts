/**
 * The workflows' definitions are validated once per process, off the main thread: asl-validator
 * builds and compiles its JSON schemas (ajv) on every call, about half a second of CPU per
 * definition, which a replay would otherwise spend on its one thread. Validation starts when the
 * automation does, in a worker thread, and an execution waits for its definition's verdict before it
 * runs: an invalid definition still fails every execution with the validator's errors, as
 * `new StateMachine(definition)` does. If the worker cannot run, the definitions are validated here.
 */
import { createRequire } from "node:module";
import { Worker } from "node:worker_threads";
import { StateMachine } from "aws-local-stepfunctions";
import { WORKFLOWS, type WorkflowName } from "../../stepfunctions/definitions.js";
import { type Definition, localDefinition } from "./workflow-definitions.js";

/** The checks aws-local-stepfunctions runs when it validates a definition. */
const VALIDATION = { checkArn: true, checkPaths: true };

/** The worker: validates each definition it is given; null for a valid one, else the errors. */
const WORKER_SOURCE = `
const { parentPort, workerData } = require("node:worker_threads");
const validate = require(workerData.validator);
parentPort.postMessage(workerData.definitions.map((d) => {
  const { isValid, errorsText } = validate(d, workerData.options);
  return isValid ? null : errorsText("\\n");
}));
`;

let verdicts: Promise<ReadonlyMap<WorkflowName, string | null>> | null = null;
/**
 * The worker while it runs. It does not keep the process alive by itself (a command that never runs
 * an execution exits without waiting for it); an execution that waits for a verdict refs it.
 */
let running: Worker | null = null;

function validatorPath(): string {
  const require = createRequire(import.meta.url);
  return createRequire(require.resolve("aws-local-stepfunctions")).resolve("asl-validator");
}

function validateInWorker(names: readonly WorkflowName[]): Promise<(string | null)[]> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: { validator: validatorPath(), definitions: names.map(localDefinition), options: VALIDATION },
    });
    running = worker;
    worker.unref();
    worker.once("message", resolve);
    worker.once("error", reject);
    worker.once("exit", (code) => {
      running = null;
      reject(new Error(`the validation worker exited with code ${code}`));
    });
  });
}

/** Starts validating every workflow's definition (once per process); the verdicts by workflow. */
export function startValidation(): Promise<ReadonlyMap<WorkflowName, string | null>> {
  if (!verdicts) {
    const names = Object.keys(WORKFLOWS) as WorkflowName[];
    verdicts = validateInWorker(names)
      .catch(() =>
        // No worker: the library validates here, on the main thread.
        names.map((w) => {
          try {
            new StateMachine(localDefinition(w) as never, { validationOptions: VALIDATION });
            return null;
          } catch (e) {
            return (e as Error).message;
          }
        }),
      )
      .then((errors) => new Map(names.map((w, i) => [w, errors[i] ?? null])));
  }
  return verdicts;
}

const machines = new WeakMap<Definition, StateMachine>();

/**
 * The state machine of a workflow's definition, once it is known to be valid; built once and reused
 * by every execution (a StateMachine keeps nothing between runs: each run has its own event log,
 * abort signal and options). Throws the validator's errors for an invalid definition.
 */
export async function validatedStateMachine(w: WorkflowName, def: Definition): Promise<StateMachine> {
  const pending = startValidation();
  running?.ref();
  const error = (await pending).get(w);
  if (error) {
    throw new Error(
      error.startsWith("State machine definition is invalid")
        ? error
        : `State machine definition is invalid, see error(s) below:\n ${error}`,
    );
  }
  let sm = machines.get(def);
  if (!sm) {
    sm = new StateMachine(def as never, { validationOptions: { noValidate: true } });
    machines.set(def, sm);
  }
  return sm;
}
