#!/usr/bin/env python3
"""
Independent reference for `sideline run --format catapult-gnss` on the six U18 GNSS files
(/work/shared/datasets/gnss-catapult-u18, Zhang et al. 2025; repository latilongitude/GNSS_FootballTactical).

Written apart from the TypeScript (numpy only, no shared code): it reads the files, projects
longitude/latitude with its own WGS-84 ECEF -> ENU maths, and applies the method the tracking core
documents (lambdas/core/tracking/player-features.ts):
  - samples more than 15 m outside the pitch are rejected (contracts/pitch.ts, PITCH_MARGIN_M);
  - positions travel as integer millimetres (contracts/records/tracking.ts);
  - a gap > 1000 ms starts a new segment (SEGMENT_GAP_MS); velocity is the backward difference over
    the actual dt; a raw speed > 12 m/s is dropped (MAX_PLAUSIBLE_SPEED_MPS) but its position still
    becomes the previous one;
  - vx and vy are smoothed per segment by a Savitzky-Golay fit of order 1 over 7 samples against the
    actual times, edges evaluated on the first/last window's line (scipy's mode="interp"); a segment
    with fewer than 7 velocities is fitted as a whole;
  - speed = |smoothed v|, distance = sum(speed * dt), top speed = max(speed).
It also prints the raw (unsmoothed) path length, to show what the quantised positions do to it.

Usage: python3 test/reference/gnss_u18_reference.py [DATA_DIR] [--csv]
"""

import gzip
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
from scipy.signal import savgol_filter

DATA = Path(sys.argv[1]) if len(sys.argv) > 1 and not sys.argv[1].startswith("--") else Path(
    "/work/shared/datasets/gnss-catapult-u18"
)
ZONE = ZoneInfo("Europe/Lisbon")

# WGS-84 (NIMA TR8350.2, Table 3.1)
A = 6378137.0
F = 1 / 298.257223563
E2 = F * (2 - F)
# Sideline's tracking spec
MARGIN_M = 15.0
GAP_MS = 1000
MAX_SPEED = 12.0
WINDOW = 7
EXCEL_UNIX_DAY = 25569  # 1970-01-01 as an Excel serial


def ecef(lon_deg, lat_deg):
    lat, lon = np.radians(lat_deg), np.radians(lon_deg)
    n = A / np.sqrt(1 - E2 * np.sin(lat) ** 2)
    return np.stack([n * np.cos(lat) * np.cos(lon), n * np.cos(lat) * np.sin(lon), n * (1 - E2) * np.sin(lat)], -1)


def enu_rotation(lon0, lat0):
    lat, lon = np.radians(lat0), np.radians(lon0)
    return np.array(
        [
            [-np.sin(lon), np.cos(lon), 0.0],
            [-np.sin(lat) * np.cos(lon), -np.sin(lat) * np.sin(lon), np.cos(lat)],
        ]
    )


def pitch_frame(corners):
    """corners: (4, 2) lon, lat. Returns project(lon, lat) -> (x, y), length, width."""
    lon0, lat0 = corners.mean(0)
    r0, rot = ecef(lon0, lat0), enu_rotation(lon0, lat0)
    p = (ecef(corners[:, 0], corners[:, 1]) - r0) @ rot.T
    c = p.mean(0)
    p = p[np.argsort(np.arctan2(p[:, 1] - c[1], p[:, 0] - c[0]))]  # counter-clockwise
    sides = np.linalg.norm(np.roll(p, -1, 0) - p, axis=1)
    if sides[0] + sides[2] < sides[1] + sides[3]:
        p = np.roll(p, -1, 0)
        sides = np.roll(sides, -1)
    d0 = (p[1] - p[0]) / sides[0]
    d2 = (p[3] - p[2]) / sides[2]
    if d2[0] > d0[0] or (d2[0] == d0[0] and d2[1] > d0[1]):
        p = np.roll(p, -2, 0)
        sides = np.roll(sides, -2)
    x_dir = (p[1] - p[0]) + (p[2] - p[3])
    x_dir /= np.linalg.norm(x_dir)
    y_dir = np.array([-x_dir[1], x_dir[0]])
    origin = p[0]

    def project(lon, lat):
        q = (ecef(lon, lat) - r0) @ rot.T - origin
        return q @ x_dir, q @ y_dir

    return project, (sides[0] + sides[2]) / 2, (sides[1] + sides[3]) / 2, sides


def local_to_epoch_ms(wall_ms):
    """Wall-clock ms (Excel local time) -> epoch ms, with the zone's offset per distinct hour."""
    out = np.empty_like(wall_ms)
    hours = wall_ms // 3_600_000
    for h in np.unique(hours):
        naive = datetime(1970, 1, 1) + timedelta(milliseconds=int(h) * 3_600_000)
        off = ZONE.utcoffset(naive)
        out[hours == h] = wall_ms[hours == h] - int(off.total_seconds() * 1000)
    return out


def savgol_irregular(t, v):
    """Order-1 Savitzky-Golay over 7 samples against the actual times; edges on the edge windows' lines."""
    n = len(t)
    if n < WINDOW:
        starts = np.zeros(n, dtype=int)
        idx = np.arange(n)[None, :].repeat(n, 0)
    else:
        starts = np.clip(np.arange(n) - WINDOW // 2, 0, n - WINDOW)
        idx = starts[:, None] + np.arange(WINDOW)[None, :]
    tt = t[idx] - t[idx[:, :1]]
    mt = tt.mean(1, keepdims=True)
    vv = v[idx]
    mv = vv.mean(1)
    stt = ((tt - mt) ** 2).sum(1)
    slope = np.where(stt > 0, ((tt - mt) * (vv - mv[:, None])).sum(1) / np.where(stt > 0, stt, 1), 0.0)
    return mv + slope * ((t - t[idx[:, 0]]) - mt[:, 0])


def player(path, project, length, width):
    with gzip.open(path, "rt") as fh:
        header = fh.readline()
        assert [h.strip().lower() for h in header.split(",")] == ["timestamp", "longitude", "latitude"], header
        a = np.loadtxt(fh, delimiter=",")
    n_in = len(a)
    wall = np.round((a[:, 0] - EXCEL_UNIX_DAY) * 86_400_000).astype(np.int64)
    t = local_to_epoch_ms(wall)
    x, y = project(a[:, 1], a[:, 2])
    x = np.round(x * 1000) / 1000  # integer millimetres on the wire
    y = np.round(y * 1000) / 1000
    off_lines = int(((x < 0) | (x > length) | (y < 0) | (y > width)).sum())
    inside = (x >= -MARGIN_M) & (x <= length + MARGIN_M) & (y >= -MARGIN_M) & (y <= width + MARGIN_M)
    t, x, y = t[inside], x[inside], y[inside]
    dt = np.diff(t)
    assert (dt > 0).all(), "time does not advance: the reference does not model that case"
    vx = np.diff(x) * 1000 / dt
    vy = np.diff(y) * 1000 / dt
    raw = np.hypot(vx, vy)
    new_seg = np.concatenate([[True], dt > GAP_MS])  # per position: starts a segment
    seg_of_velocity = np.cumsum(new_seg)[1:]  # velocity k belongs to position k+1
    keep = (dt <= GAP_MS) & (raw <= MAX_SPEED)
    distance = 0.0
    top = 0.0
    raw_path = 0.0
    for s in np.unique(seg_of_velocity[keep]):
        m = keep & (seg_of_velocity == s)
        ts, dts = t[1:][m].astype(float), dt[m].astype(float)
        sx, sy = savgol_irregular(ts, vx[m]), savgol_irregular(ts, vy[m])
        speed = np.hypot(sx, sy)
        distance += float((speed * dts).sum() / 1000)
        top = max(top, float(speed.max()))
        raw_path += float((raw[m] * dts).sum() / 1000)
    return {
        "samples": n_in,
        "off_pitch": int((~inside).sum()),
        "off_lines": off_lines,
        "over_12": int(((dt <= GAP_MS) & (raw > MAX_SPEED)).sum()),
        "gaps": int((dt > GAP_MS).sum()),
        "distance": distance,
        "top": top,
        "raw_path": raw_path,
        "raw_path_all": float(np.hypot(np.diff(x), np.diff(y))[dt <= GAP_MS].sum()),
        "repeats": float(((np.diff(x) == 0) & (np.diff(y) == 0)).mean()),
        "start_utc": datetime.fromtimestamp(t[0] / 1000, timezone.utc).isoformat(),
    }


def check_savgol():
    """On evenly spaced samples the irregular-time fit must equal scipy's savgol_filter(v, 7, 1)."""
    rng = np.random.default_rng(7)
    worst = 0.0
    for n in (7, 8, 50):
        v = rng.normal(size=n)
        worst = max(worst, float(np.abs(savgol_irregular(np.arange(n) * 100.0, v) - savgol_filter(v, WINDOW, 1)).max()))
    assert worst < 1e-9, worst
    return worst


def main():
    worst = check_savgol()
    corners = np.loadtxt(DATA / "pitch_corners.csv", delimiter=",", skiprows=1)
    project, length, width, sides = pitch_frame(corners)
    print(f"pitch {length:.2f} x {width:.2f} m, sides {', '.join(f'{s:.2f}' for s in sides)} m")
    rows = []
    for i in range(1, 7):
        r = player(DATA / f"U18_ID{i}.csv.gz", project, length, width)
        rows.append((f"U18_ID{i}", r))
    if "--csv" in sys.argv:
        print("player,samples,off_pitch,outside_lines,over_12,gaps,distance_m,top_speed_mps,raw_path_m,raw_path_all_m")
        for p, r in rows:
            print(
                f"{p},{r['samples']},{r['off_pitch']},{r['off_lines']},{r['over_12']},{r['gaps']},{r['distance']:.3f},"
                f"{r['top']:.4f},{r['raw_path']:.3f},{r['raw_path_all']:.3f}"
            )
        return
    print(
        f"{'player':9} {'samples':>7} {'out15':>5} {'outside':>7} {'>12':>4} {'distance':>9} {'top':>6} "
        f"{'raw path':>9} {'raw/dist':>8} {'repeats':>7}  first sample (UTC)"
    )
    for p, r in rows:
        print(
            f"{p:9} {r['samples']:7d} {r['off_pitch']:5d} {r['off_lines']:7d} {r['over_12']:4d} {r['distance']:9.1f} {r['top']:6.3f} "
            f"{r['raw_path']:9.1f} {r['raw_path'] / r['distance'] - 1:+8.1%} {r['repeats']:7.1%}  {r['start_utc']}"
        )
    print(f"own Savitzky-Golay vs scipy savgol_filter(v, 7, 1) on evenly spaced samples: {worst:.1e} at most")


if __name__ == "__main__":
    main()
