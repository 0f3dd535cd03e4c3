/**
 * Why an input file cannot be read (further): the file, how far the reader got, the reason in words
 * and what to do. Readers throw it; the pipeline catches it with eachItem and reports it as the place
 * an incomplete run stopped.
 */
export class InputError extends Error {
  constructor(
    readonly file: string,
    /** Lines read whole before the failure (0: it failed before the first line). */
    readonly linesRead: number,
    readonly reason: string,
    readonly hint: string,
  ) {
    super(`cannot read '${file}'${InputError.where(linesRead)}: ${reason}: ${hint}`);
    this.name = "InputError";
  }

  /** Where the reader stopped, in words: "" (the file as a whole), " at line 1" or " after line N". */
  static where(linesRead: number): string {
    return linesRead < 0 ? "" : linesRead === 0 ? " at line 1" : ` after line ${linesRead.toLocaleString("en-US")}`;
  }
}

/** Lines read: -1 when the failure concerns the file as a whole (it does not exist, it is a folder). */
export const WHOLE_FILE = -1;

/** An error of the file system or of gunzip, in words a user can act on. */
export function describeReadError(e: unknown, file: string, linesRead: number): InputError {
  if (e instanceof InputError) return e;
  const err = e as NodeJS.ErrnoException;
  const gz = file.endsWith(".gz");
  switch (err.code) {
    case "ENOENT":
      return new InputError(file, WHOLE_FILE, "no such file", "check the path");
    case "EISDIR":
      return new InputError(file, WHOLE_FILE, "it is a folder, not a file", "pass the files inside it");
    case "EACCES":
    case "EPERM":
      return new InputError(file, WHOLE_FILE, "permission denied", "check the file's permissions");
    case "Z_BUF_ERROR":
      return new InputError(
        file,
        linesRead,
        "the gzip data ends early (unexpected end of file)",
        "the file is truncated: copy or download it again, then rerun",
      );
    case "Z_DATA_ERROR":
      return linesRead === 0 && /header check/.test(err.message)
        ? new InputError(
            file,
            linesRead,
            "not gzip data (incorrect header check)",
            "if it is plain text, rename it without .gz",
          )
        : new InputError(
            file,
            linesRead,
            `corrupt gzip data (${err.message})`,
            "copy or download the file again, then rerun",
          );
    default:
      return new InputError(
        file,
        linesRead,
        (err.message ?? String(e)).split("\n")[0]!,
        gz ? "check that it is a whole gzip file" : "check the file",
      );
  }
}

/** Where and why the input stopped before its end. */
export interface InputFailure {
  /** The file that failed. @default - unknown (the source is not a file reader) */
  readonly file?: string;
  /** Lines of it read whole before the failure; -1 when the file as a whole failed. */
  readonly linesRead?: number;
  readonly reason: string;
  /** The reader's one-line message, with what to do. */
  readonly message: string;
}

/**
 * Runs `each` on every item of `items`. A throw while reading an item (not while handling it) stops
 * the loop and is returned as the input failure; a throw from `each` propagates.
 */
export async function eachItem<T>(
  items: Iterable<T> | AsyncIterable<T>,
  each: (item: T) => Promise<void>,
): Promise<InputFailure | null> {
  const it =
    Symbol.asyncIterator in items
      ? (items as AsyncIterable<T>)[Symbol.asyncIterator]()
      : (items as Iterable<T>)[Symbol.iterator]();
  for (;;) {
    let next: IteratorResult<T>;
    try {
      next = await it.next();
    } catch (e) {
      return inputFailure(e);
    }
    if (next.done) return null;
    await each(next.value);
  }
}

/** A reader's error as an input failure: an InputError keeps its file and place. */
export function inputFailure(e: unknown): InputFailure {
  if (e instanceof InputError)
    return { file: e.file, linesRead: e.linesRead, reason: e.reason, message: e.message.split("\n")[0]! };
  const message = (e instanceof Error ? e.message : String(e)).split("\n")[0]!;
  return { reason: message, message };
}
