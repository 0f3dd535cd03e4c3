"""The numpy/scipy reference for `bench.run_csv`: what a club analyst's script does with the same long
CSV, end to end. Reads `timestamp,player_id,x,y,team` (gzip), then per player: velocity as the
backward difference over the actual dt, Savitzky-Golay smoothing of vx and vy (scipy's savgol_filter,
window 7, order 1, the filter Sideline's spec names), speed, and per 60 s window the distance, the
distance in each speed band and the top speed; writes the windows as CSV. Prints `samples seconds`,
timed from the first read to the last write (interpreter start and imports excluded, as the bench
excludes the CLI's).

Usage: python3 numpy_reference.py IN.csv.gz OUT.csv
"""

import gzip
import sys
import time

import numpy as np
from scipy.signal import savgol_filter

# Sideline's speed bands (lambdas/core/tracking/thresholds.ts): 15, 19.8 and 25.2 km/h.
HIGH_INTENSITY_MPS = 15 / 3.6
HSR_MPS = 19.8 / 3.6
SPRINT_MPS = 25.2 / 3.6
WINDOW_S = 60
SAVGOL_WINDOW = 7
SAVGOL_ORDER = 1


def main(src: str, dst: str) -> None:
    started = time.perf_counter()
    with gzip.open(src, "rb") as f:
        header = f.readline().decode().strip().split(",")
        data = f.read()
    cols = {name: i for i, name in enumerate(header)}
    lines = data.splitlines()
    numbers = np.loadtxt(
        lines, delimiter=",", usecols=(cols["timestamp"], cols["x"], cols["y"]), dtype=np.float64
    )
    ids = np.loadtxt(lines, delimiter=",", usecols=(cols["player_id"],), dtype=str)
    t, x, y = numbers[:, 0], numbers[:, 1], numbers[:, 2]
    players, inverse = np.unique(ids, return_inverse=True)
    order = np.argsort(inverse, kind="stable")
    bounds = np.searchsorted(inverse[order], np.arange(len(players) + 1))
    rows = []
    for p, pid in enumerate(players):
        idx = order[bounds[p] : bounds[p + 1]]
        pt, px, py = t[idx], x[idx], y[idx]
        if len(pt) <= SAVGOL_WINDOW:
            continue
        dt = np.diff(pt)
        vx = savgol_filter(np.diff(px) / dt, SAVGOL_WINDOW, SAVGOL_ORDER)
        vy = savgol_filter(np.diff(py) / dt, SAVGOL_WINDOW, SAVGOL_ORDER)
        speed = np.sqrt(vx * vx + vy * vy)
        dist = speed * dt
        window = np.floor(pt[1:] / WINDOW_S).astype(np.int64)
        starts, first = np.unique(window, return_index=True)
        edges = np.append(first, len(window))
        for k, w in enumerate(starts):
            s = slice(edges[k], edges[k + 1])
            sp, d = speed[s], dist[s]
            rows.append(
                (
                    pid,
                    int(w) * WINDOW_S,
                    d.sum(),
                    d[sp >= HIGH_INTENSITY_MPS].sum(),
                    d[sp >= HSR_MPS].sum(),
                    d[sp >= SPRINT_MPS].sum(),
                    sp.max(),
                )
            )
    with open(dst, "w") as out:
        out.write("player_id,window_start,distance_m,hi_m,hsr_m,sprint_m,top_speed_mps\n")
        for r in rows:
            out.write(f"{r[0]},{r[1]},{r[2]:.3f},{r[3]:.3f},{r[4]:.3f},{r[5]:.3f},{r[6]:.3f}\n")
    print(len(t), time.perf_counter() - started)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
