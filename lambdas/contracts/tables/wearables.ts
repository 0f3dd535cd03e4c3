/**
 * The wearables modality's tables: features per device and window (wearable_windows), and each
 * player's load per day and measure with its ratios (player_daily_load). Both are classified health:
 * heart rate and workload are data concerning health (GDPR Art. 9).
 */
import { col, defineTable, optCol } from "./schema.js";

export const WEARABLE_WINDOWS = defineTable({
  name: "wearable_windows",
  classification: "health",
  scope: "lake",
  doc: "Features per player, device and tumbling window (60 s by default) from IMU and heart-rate wearables (sideline.wearable.v1), at the device's native sample rate: PlayerLoad (Boyd et al. 2011), impacts, jumps, heart-rate zones and TRIMP. IMU columns are null for a heart-rate-only device, heart-rate columns for an IMU without a strap. Positions from GNSS vests travel as tracking and land in player_windows.",
  columns: [
    col("session_id", "string", "The training session or match."),
    col("player_id", "string", "Player identifier."),
    optCol("team", "string", "Team identifier, when known."),
    col("device_id", "string", "The device (serial number, or the file it came from)."),
    col("device_kind", "string", "What the device is, e.g. catapult-s6, movesense, garmin-hr."),
    col("window_start", "timestamp", "Window start (inclusive), UTC, aligned to multiples of the window length."),
    col("window_end", "timestamp", "Window end (exclusive), UTC."),
    col("samples", "int", "IMU samples plus heart-rate readings in the window: the accounting of wearable samples."),
    col("imu_samples", "int", "IMU samples in the window."),
    optCol(
      "sample_rate_hz",
      "double",
      "The IMU's sample rate, Hz, as the device recorded: every IMU value in the row was computed at it, never resampled.",
    ),
    optCol(
      "imu_covered_s",
      "double",
      "Seconds of the window the IMU covered (gaps left out): PlayerLoad per minute divides by it.",
    ),
    optCol(
      "player_load",
      "double",
      "PlayerLoad, AU: sum of sqrt(dax^2 + day^2 + daz^2) / 100 over consecutive samples, accelerations in g (Boyd, Ball & Aughey 2011).",
    ),
    optCol("player_load_2d", "double", "PlayerLoad without the vertical axis, AU."),
    optCol("player_load_per_min", "double", "PlayerLoad per minute of IMU coverage, AU/min."),
    optCol(
      "vendor_player_load",
      "double",
      "The vendor's own PlayerLoad over the window (Catapult's RawPlayerLoad summed), AU; null when the export has none.",
    ),
    optCol("impacts_light", "int", "Impacts of 5-6.5 g resultant (Cunniffe et al. 2009 zones 1-2)."),
    optCol("impacts_moderate", "int", "Impacts of 6.5-8 g (zones 3-4)."),
    optCol("impacts_heavy", "int", "Impacts of 8 g and above (zones 5-6); read with clipped_samples."),
    optCol(
      "jumps",
      "int",
      "Jumps: a flight of near-zero acceleration ended by a landing spike (thresholds in README).",
    ),
    optCol("jump_height_max_m", "double", "Highest jump, m, from flight time: h = g t^2 / 8 (Bosco et al. 1983)."),
    optCol(
      "clipped_samples",
      "int",
      "IMU samples with an axis at the accelerometer's full scale (+-8 g unless the device says): peaks above it are not measured.",
    ),
    optCol("hr_readings", "int", "Heart-rate readings in the window."),
    optCol(
      "hr_covered_s",
      "double",
      "Seconds of the window with a heart-rate signal (resampled to 1 s inside gaps of at most 10 s).",
    ),
    optCol("hr_gap_s", "double", "Seconds of the window inside dropouts (gaps over 10 s): never counted as 0 bpm."),
    optCol("hr_mean_bpm", "double", "Mean heart rate over the covered seconds, bpm."),
    optCol("hr_peak_bpm", "double", "Highest heart rate, bpm."),
    optCol("hr_z1_s", "double", "Seconds at 50-60 % of HRmax (Edwards 1993 zone 1)."),
    optCol("hr_z2_s", "double", "Seconds at 60-70 % of HRmax."),
    optCol("hr_z3_s", "double", "Seconds at 70-80 % of HRmax."),
    optCol("hr_z4_s", "double", "Seconds at 80-90 % of HRmax."),
    optCol("hr_z5_s", "double", "Seconds at 90 % of HRmax and above."),
    optCol("trimp_edwards", "double", "Edwards TRIMP, AU: minutes in zones 1-5 weighted 1-5 (Edwards 1993)."),
    optCol(
      "trimp_banister",
      "double",
      "Banister TRIMP, AU: sum of minutes x HRr x 0.64 e^(1.92 HRr) (men) or 0.86 e^(1.67 HRr) (women), HRr the heart-rate reserve fraction (Banister 1991).",
    ),
    optCol("hr_max_ref_bpm", "double", "The HRmax the zones and TRIMP used, bpm."),
    optCol("hr_rest_ref_bpm", "double", "The resting heart rate Banister TRIMP used, bpm."),
    optCol(
      "hr_ref_source",
      "string",
      "Where HRmax and HRrest came from: squad (config/squad.json) or assumed (its defaults).",
    ),
  ],
  key: ["session_id", "player_id", "device_id", "window_start"],
  partitionBy: ["session_id", "day(window_start)"],
  sortBy: ["player_id", "window_start"],
});

export const PLAYER_DAILY_LOAD = defineTable({
  name: "player_daily_load",
  classification: "health",
  scope: "lake",
  doc: "Each player's load per day and measure, rest days included as 0, with the acute:chronic ratio two ways (EWMA, Williams et al. 2017; rolling averages, Hulin et al. 2016), and weekly monotony and strain (Foster 1998). Measures are never added together: one row per measure.",
  columns: [
    col("player_id", "string", "Player identifier."),
    col("day", "timestamp", "The day, midnight UTC."),
    col(
      "load_measure",
      "string",
      "What load is, and its unit: distance_m (m), player_load_au (Sideline's, from the IMU), vendor_player_load_au (a vendor's own, imported), trimp_edwards_au, trimp_banister_au, srpe_au (RPE x minutes, Foster 2001).",
    ),
    col("load", "double", "The day's load: the sum of its sessions, 0 on a rest day."),
    col("sessions", "int", "Sessions that day."),
    col("acute_ewma", "double", "EWMA of daily load, lambda = 2 / (7 + 1)."),
    col("chronic_ewma", "double", "EWMA of daily load, lambda = 2 / (28 + 1)."),
    optCol(
      "acwr_ewma",
      "double",
      "acute_ewma / chronic_ewma; null before 28 days of history (the spike rule's minimum) or when the chronic load is 0.",
    ),
    col("acute_rolling", "double", "Mean daily load over the last 7 days (rest days 0)."),
    col(
      "chronic_rolling",
      "double",
      "Mean daily load over the last 28 days (rest days 0; fewer at the start of the history).",
    ),
    optCol(
      "acwr_rolling",
      "double",
      "acute_rolling / chronic_rolling; null before 28 days of history or when the chronic load is 0.",
    ),
    col("week_load", "double", "Load over the last 7 days."),
    optCol(
      "monotony",
      "double",
      "Mean / sample standard deviation of the last 7 days' loads, rest days 0 (Foster 1998); null before a full week, or when the loads do not vary.",
    ),
    optCol("strain", "double", "week_load x monotony (Foster 1998)."),
    col("history_days", "int", "Days of history the ratios saw (up to 120)."),
  ],
  key: ["player_id", "load_measure", "day"],
  partitionBy: ["day(day)"],
  sortBy: ["player_id", "load_measure", "day"],
});
