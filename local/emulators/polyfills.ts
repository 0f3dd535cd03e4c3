/**
 * aws-local-stepfunctions 3 targets Node 22 and calls Promise.withResolvers (Node >= 22); Sideline
 * supports Node 20, so the embedded runtime adds it when missing. Same semantics (TC39, ES2024).
 */
export function polyfillPromiseWithResolvers(): void {
  const P = Promise as unknown as { withResolvers?: unknown };
  if (typeof P.withResolvers === "function") return;
  P.withResolvers = function withResolvers<T>() {
    let resolve!: (v: T | PromiseLike<T>) => void;
    let reject!: (e?: unknown) => void;
    const promise = new Promise<T>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    return { promise, resolve, reject };
  };
}
