/**
 * Effort detection over a stream of smoothed samples: a run of samples that meets a condition,
 * counted once, at the sample where it has been held for the minimum duration. Counting at
 * qualification (not at the effort's start) keeps a window's count final when the window closes.
 */
export interface EffortState {
  /** Time of the first sample of the current run, or null when no run is in progress. */
  since: number | null;
  counted: boolean;
}

export const newEffortState = (): EffortState => ({ since: null, counted: false });

/** Feeds one sample; returns true exactly once per effort, when it qualifies. */
export function stepEffort(state: EffortState, meets: boolean, tMs: number, minDurationMs: number): boolean {
  if (!meets) {
    state.since = null;
    state.counted = false;
    return false;
  }
  if (state.since === null) state.since = tMs;
  if (!state.counted && tMs - state.since >= minDurationMs) {
    state.counted = true;
    return true;
  }
  return false;
}

export function resetEffort(state: EffortState): void {
  state.since = null;
  state.counted = false;
}
