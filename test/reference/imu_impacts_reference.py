#!/usr/bin/env python3
"""
Independent reference for the impact count on Catapult's 10 s sample of an S6 at 100 Hz
(test/fixtures/wearables/catapultr_highfreq100hz.csv, SBGSports/catapultr, MIT), for
test/unit/wearables-catapult.test.ts.

Written apart from the TypeScript (numpy only, no shared code). It applies the rule that
lambdas/core/wearables/imu-events.ts documents:
  - |a| = sqrt(forward^2 + side^2 + up^2), g (Acceleration.forward/side/up), one row per 10 ms;
  - an excursion is a run of samples with |a| >= 5 g (IMPACT_LIGHT_G) in which consecutive such
    samples are less than 100 ms (IMPACT_QUIET_MS) apart: it ends once |a| has stayed below 5 g for
    100 ms after its last sample at or above 5 g;
  - one impact per excursion, banded by its peak: light [5, 6.5), moderate [6.5, 8), heavy >= 8 g.
For comparison it also prints the count under the previous rule (a 100 ms refractory time from the
peak, a later sample inside it counting only if higher), which the fix replaced.

Usage: python3 test/reference/imu_impacts_reference.py [CSV]
"""

import sys
from pathlib import Path

import numpy as np

CSV = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).parent.parent / "fixtures/wearables/catapultr_highfreq100hz.csv"
LIGHT_G, MODERATE_G, HEAVY_G = 5.0, 6.5, 8.0
QUIET_MS = 100.0
PERIOD_MS = 10.0  # 100 Hz, one row per centisecond


def read_resultant(path: Path) -> np.ndarray:
    lines = path.read_text().strip().splitlines()
    header = lines[3].split(",")  # three metadata lines, then the header
    cols = [header.index(f"Acceleration.{axis}") for axis in ("forward", "side", "up")]
    acc = np.array([[float(line.split(",")[c]) for c in cols] for line in lines[4:]])
    assert np.isfinite(acc).all(), "an acceleration cell is missing"
    return np.sqrt((acc**2).sum(axis=1))


def excursions(t: np.ndarray, g: np.ndarray) -> list[tuple[float, float]]:
    """(peak time, peak g) per excursion."""
    above = np.flatnonzero(g >= LIGHT_G)
    if above.size == 0:
        return []
    # A new excursion starts where the step from the previous sample at or above 5 g is >= the quiet time.
    starts = np.concatenate(([0], np.flatnonzero(np.diff(t[above]) >= QUIET_MS) + 1))
    out = []
    for idx in np.split(above, starts[1:]):
        k = idx[np.argmax(g[idx])]  # the first of equal peaks
        out.append((float(t[k]), float(g[k])))
    return out


def refractory_from_peak(t: np.ndarray, g: np.ndarray) -> int:
    """The previous rule, for comparison only."""
    n, peak_t, peak_g = 0, None, 0.0
    for ti, gi in zip(t, g):
        if peak_t is not None and ti - peak_t >= QUIET_MS:
            n, peak_t, peak_g = n + 1, None, 0.0
        if gi >= LIGHT_G and (peak_t is None or gi > peak_g):
            peak_t, peak_g = ti, gi
    return n + (peak_t is not None)


def main() -> None:
    g = read_resultant(CSV)
    t = np.arange(g.size) * PERIOD_MS
    ex = excursions(t, g)
    peaks = np.array([p for _, p in ex])
    bands = {
        "light": int(((peaks >= LIGHT_G) & (peaks < MODERATE_G)).sum()),
        "moderate": int(((peaks >= MODERATE_G) & (peaks < HEAVY_G)).sum()),
        "heavy": int((peaks >= HEAVY_G).sum()),
    }
    print(f"samples: {g.size}, at or above {LIGHT_G} g: {(g >= LIGHT_G).sum()}, max |a|: {g.max():.3f} g")
    print(f"impacts (one per excursion): {len(ex)}  {bands}")
    print("peaks (ms, g):", ", ".join(f"{pt:.0f} {pg:.2f}" for pt, pg in ex))
    print(f"previous rule (refractory from the peak): {refractory_from_peak(t, g)}")


if __name__ == "__main__":
    main()
