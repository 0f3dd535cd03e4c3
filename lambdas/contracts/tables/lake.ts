/**
 * The lake's tables: Iceberg (Glue catalog, Athena) in the cloud and DuckDB locally, from these
 * definitions. Each carries its data classification.
 */
import { classified, col, defineTable, optCol } from "./schema.js";

export const PLAYER_WINDOWS = defineTable({
  name: "player_windows",
  classification: "performance",
  scope: "lake",
  doc: "Physical features per player per tumbling window (60 s by default), from tracking data.",
  columns: [
    col("match_id", "string", "Match identifier given by the producer."),
    col("player_id", "string", "Player identifier given by the producer."),
    optCol("team", "string", "Team identifier, when the source gives one."),
    col("window_start", "timestamp", "Window start (inclusive), UTC, aligned to multiples of the window length."),
    col("window_end", "timestamp", "Window end (exclusive), UTC."),
    col("samples", "int", "Tracking samples whose timestamp falls in the window, used or discarded."),
    col("discarded_samples", "int", "Samples kept out of kinematics: raw speed > 12 m/s or time not increasing."),
    col("tracked_s", "double", "Seconds of the window covered by consecutive samples (gaps excluded)."),
    col("distance_m", "double", "Distance covered: sum of smoothed speed x dt, in metres."),
    col("hi_distance_m", "double", "High-intensity running distance, speed >= 4.17 m/s (15 km/h)."),
    col("hsr_distance_m", "double", "High-speed running distance, speed >= 5.5 m/s (19.8 km/h)."),
    col("sprint_distance_m", "double", "Sprint distance, speed >= 7.0 m/s (25.2 km/h)."),
    col("sprint_count", "int", "Sprint efforts (>= 7.0 m/s for >= 1 s) that qualified in this window."),
    col("accel_count", "int", "Accelerations (>= 3 m/s^2 held >= 0.5 s) that qualified in this window."),
    col("decel_count", "int", "Decelerations (<= -3 m/s^2 held >= 0.5 s) that qualified in this window."),
    col("top_speed_mps", "double", "Highest smoothed speed in the window, m/s."),
    col("metabolic_energy_jkg", "double", "Metabolic energy, J/kg (di Prampero & Osgnach 2018)."),
    col("avg_metabolic_power_wkg", "double", "Metabolic energy / tracked_s, W/kg."),
  ],
  key: ["match_id", "player_id", "window_start"],
  partitionBy: ["match_id", "day(window_start)"],
  sortBy: ["player_id", "window_start"],
});

export const QUARANTINE = defineTable({
  name: "quarantine",
  // Where and why a record was refused is operational (performance); the payload is any modality's
  // record, so as sensitive as the most sensitive that writes it (wearables' heart rate).
  classification: "performance",
  scope: "lake",
  doc: "Records or samples that could not be used, with the reason. Nothing bad is dropped silently.",
  columns: [
    col("source", "string", "Where it was caught: reader:<format>, tracking-features, event-source-mapping."),
    col(
      "record_ref",
      "string",
      "Which record: file:line, or the Kinesis event ID shardId:sequenceNumber[#first bad sample].",
    ),
    optCol("match_id", "string", "Match, when it could be read."),
    col("reason", "string", "Why it was quarantined, in words."),
    col("sample_count", "int", "Tracking samples the quarantined record held (0 when unknown)."),
    classified(col("payload", "string", "The start of the raw payload, truncated to 1 KB."), "health"),
    col("quarantined_at", "timestamp", "When it was quarantined, UTC."),
  ],
  key: ["source", "record_ref"],
  // A key column with a handful of values (reader:<format>, tracking-features, event-source-mapping): triage reads one source at a time.
  partitionBy: ["source"],
  sortBy: ["source", "quarantined_at"],
});

export const INSIGHTS = defineTable({
  name: "insights",
  classification: "health",
  scope: "lake",
  doc: "Every insight event, as the handler publishes it on the bus, for analysts.",
  columns: [
    col("insight_id", "string", "Deterministic id: the same evidence always yields the same id."),
    col("time", "timestamp", "Event time: the end of the window that triggered it, UTC."),
    col("source", "string", "EventBridge source, e.g. sideline.tracking."),
    col("detail_type", "string", "EventBridge detail-type, e.g. Player Fatigue Suspected."),
    optCol("match_id", "string", "Match the insight is about."),
    optCol("player_id", "string", "Player the insight is about."),
    col("detail", "json", "The full event detail, with its explanation."),
  ],
  key: ["insight_id"],
  // Unpartitioned: the key is an opaque id and insights are few; they arrive about in time order, so file statistics still prune on time.
  partitionBy: [],
  sortBy: ["match_id", "time"],
});

export const PLAYER_MATCH_PROFILES = defineTable({
  name: "player_match_profiles",
  classification: "performance",
  scope: "lake",
  doc: "One row per player per match, written when his last chunk arrives: match totals and per-90 rates. The scouting matcher scores these.",
  columns: [
    col("match_id", "string", "Match identifier."),
    col("player_id", "string", "Player identifier."),
    optCol("team", "string", "Team identifier, when the source gives one."),
    col("match_start", "timestamp", "Start of the player's first window, UTC."),
    col("match_end", "timestamp", "End of the player's last window, UTC."),
    col("minutes", "double", "Minutes tracked (sum of tracked_s / 60): the sample size of every per-90 rate."),
    col("distance_m", "double", "Total distance, metres."),
    col("hi_distance_m", "double", "High-intensity running distance (>= 15 km/h), metres."),
    col("hsr_distance_m", "double", "High-speed running distance (>= 19.8 km/h), metres."),
    col("sprint_count", "int", "Sprint efforts (>= 25.2 km/h for >= 1 s)."),
    col("accel_count", "int", "Accelerations (>= 3 m/s^2 for >= 0.5 s)."),
    col("top_speed_mps", "double", "Highest smoothed speed, m/s."),
    col("avg_metabolic_power_wkg", "double", "Metabolic energy / tracked time, W/kg (di Prampero & Osgnach 2018)."),
    col(
      "rhie_bouts",
      "int",
      "Repeated high-intensity effort bouts: >= 3 sprints or accelerations, each starting <= 21 s after the last (Spencer et al. 2004).",
    ),
    col("hsr_m_per90", "double", "hsr_distance_m / minutes x 90."),
    col("sprints_per90", "double", "sprint_count / minutes x 90."),
    col("rhie_per90", "double", "rhie_bouts / minutes x 90."),
  ],
  key: ["match_id", "player_id"],
  // Unpartitioned: about 30 rows a match, so a partition per match would be one small file each that compaction cannot merge.
  partitionBy: [],
  sortBy: ["player_id"],
});

export const PLAYER_LOADS = defineTable({
  name: "player_loads",
  classification: "health",
  scope: "lake",
  doc: "Each player's load per session and measure (matches and GNSS sessions from tracking, wearable sessions, imported loads): the history the acute:chronic ratio and player_daily_load are built from.",
  columns: [
    col("player_id", "string", "Player identifier."),
    col("session_id", "string", "The match_id for matches; any unique id for imported sessions."),
    col("day", "timestamp", "Session day, midnight UTC (the EWMA steps in whole days)."),
    col("load", "double", "The session's load, in load_measure units."),
    col(
      "load_measure",
      "string",
      "What load is, and its unit: distance_m (total distance, m), player_load_au (Sideline's PlayerLoad), vendor_player_load_au (a vendor's, imported), trimp_edwards_au, trimp_banister_au, srpe_au (session RPE x minutes). Each measure has its own history and ratio; measures are never added together.",
    ),
    col("minutes", "double", "Minutes the load was measured over."),
    col(
      "origin",
      "string",
      "Where the row came from: tracking (a match or GNSS session), wearable (a device's session), or import.",
    ),
  ],
  key: ["player_id", "session_id", "load_measure"],
  // A key column with six values, and the acute:chronic ratio reads one measure's history at a time.
  partitionBy: ["load_measure"],
  sortBy: ["player_id", "day"],
});

export const SCOUTING_NEEDS = defineTable({
  name: "scouting_needs",
  classification: "performance",
  scope: "lake",
  doc: "The club's tactical needs, as versioned config (config/scouting-needs.json): what the matcher scored against.",
  columns: [
    col("need_id", "string", "Need identifier, stable across versions."),
    col("version", "int", "Config version; a changed need gets a new version, old rows stay for audit."),
    col("role", "string", "The role the need is for, e.g. pressing forward."),
    col("description", "string", "What the club is looking for, in words."),
    col("threshold", "double", "Score in [0, 1] a player must reach to be a candidate."),
    col("min_minutes", "double", "Minutes a match profile needs before it is scored."),
    col("features", "json", "The weighted features: name, weight, minimum (a hard gate) and target (full marks)."),
  ],
  key: ["need_id", "version"],
  partitionBy: [],
  sortBy: ["need_id"],
});

export const PLAYER_VALUATIONS = defineTable({
  name: "player_valuations",
  classification: "performance",
  scope: "lake",
  doc: "Physical valuation index per scouting candidate: percentile ranks of his recent per-90 profile, shrunk to the median by minutes observed. The inputs are kept.",
  columns: [
    col("player_id", "string", "Player identifier."),
    col("insight_id", "string", "The scouting match that asked for it."),
    col("valued_at", "timestamp", "When it was computed, UTC."),
    col("value_index", "double", "0-100: 50 is the median player of the lake; see formula."),
    col("reliability", "double", "minutes / (minutes + VALUATION_HALF_MINUTES), in [0, 1)."),
    col("minutes_observed", "double", "Minutes across the recent matches used."),
    col("matches", "int", "Recent matches used (at most VALUATION_RECENT_MATCHES)."),
    col("inputs", "json", "Each feature's per-90 value, percentile and weight, as used."),
    col("formula", "string", "The formula, in words, with its constants."),
  ],
  key: ["player_id", "insight_id"],
  // Unpartitioned: one row per scouting candidate, a small table; valued_at changes on a recomputation, so it cannot be a partition.
  partitionBy: [],
  sortBy: ["player_id"],
});

export const SCOUTING_DECISIONS = defineTable({
  name: "scouting_decisions",
  classification: "performance",
  scope: "lake",
  doc: "What happened to each scouting candidate: a scout's approval, a rejection with its reason, or a timeout.",
  columns: [
    col("insight_id", "string", "The Scouting Candidate Matched insight."),
    col("player_id", "string", "Player identifier."),
    col("match_id", "string", "Match the candidate was found in."),
    col("need_id", "string", "The need he matched."),
    col("decision", "string", "approve, reject or timeout."),
    optCol("reason", "string", "The scout's reason, or why none came (timeout)."),
    col("decided_at", "timestamp", "When the decision was recorded, UTC."),
  ],
  key: ["insight_id"],
  // Unpartitioned: one row per scouting candidate, a small table; decided_at is when the decision was recorded, not part of the key.
  partitionBy: [],
  sortBy: ["player_id"],
});

export const MEDICAL_ALERTS = defineTable({
  name: "medical_alerts",
  classification: "health",
  scope: "lake",
  doc: "Every medical alert the workflow handled: notified, or suppressed inside the cool-down of the player and kind of finding.",
  columns: [
    col("alert_id", "string", "The insight id that raised it."),
    col("player_id", "string", "Player identifier."),
    col("match_id", "string", "Match identifier."),
    col("detail_type", "string", "Player Fatigue Suspected, Player Load Spike or Player Biomechanics Deviation."),
    col("status", "string", "notified, or suppressed (a notified alert of this kind for him within the cool-down)."),
    col("reason", "string", "The insight's summary, or why it was suppressed."),
    col("observed_at", "timestamp", "Event time of the insight, UTC: the cool-down runs on it."),
    col("recorded_at", "timestamp", "When the workflow recorded it, UTC."),
  ],
  key: ["alert_id"],
  // Unpartitioned: one row per medical alert, a small table; observed_at is the insight's time, not part of the key.
  partitionBy: [],
  sortBy: ["player_id"],
});
