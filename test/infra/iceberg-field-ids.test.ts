/**
 * Iceberg field ids. Iceberg reads a data file's columns by field id, not by name or position
 * (https://iceberg.apache.org/spec/#column-projection), and a schema change keeps every existing
 * field's id (https://iceberg.apache.org/spec/#schema-evolution). So the ids come from the ledger,
 * lambdas/contracts/tables/field-ids.json, and a table definition's column order decides none of them.
 */
import { col, defineTable, TABLES } from "../../lambdas/contracts/tables/index.js";
import { fieldIdLedger, fieldIdProblems, icebergTableInput, type TableFieldIds } from "../../lib/iceberg.js";
import { EVOLVING_V1, EVOLVING_V1_IDS } from "../helpers/evolving-table.js";

/** A table as first deployed: a, b, c, partitioned by day of c. */
const V1 = EVOLVING_V1;
const V1_IDS = EVOLVING_V1_IDS;

/** The same table after a developer inserted x between a and b. */
const V2 = defineTable({
  ...V1,
  columns: [
    col("a", "string", "The key."),
    col("x", "string", "X, new."),
    col("b", "int", "B."),
    col("c", "timestamp", "C, in the key."),
  ],
});
/** Its ledger as the error below tells the developer to write it. */
const V2_IDS: TableFieldIds = { ...V1_IDS, lastColumnId: 4, columns: { ...V1_IDS.columns, x: 4 } };

const FILE = "lambdas/contracts/tables/field-ids.json, table evolving";
const ids = (fields: readonly { id: number; name: string }[]) => Object.fromEntries(fields.map((f) => [f.name, f.id]));

/**
 * The ids deployed before the ledger existed (they were positions in the definitions then): names
 * in id order from 1, and partition field names in id order from 1000. They never change; a column
 * renamed on the deployed table is the one reason to edit a name here.
 */
const DEPLOYED_BEFORE_THE_LEDGER: Record<string, [columns: string, partitionFields: string]> = {
  player_windows: [
    "match_id player_id team window_start window_end samples discarded_samples tracked_s distance_m hi_distance_m hsr_distance_m sprint_distance_m sprint_count accel_count decel_count top_speed_mps metabolic_energy_jkg avg_metabolic_power_wkg",
    "match_id window_start_day",
  ],
  quarantine: ["source record_ref match_id reason sample_count payload quarantined_at", "source"],
  insights: ["insight_id time source detail_type match_id player_id detail", ""],
  player_match_profiles: [
    "match_id player_id team match_start match_end minutes distance_m hi_distance_m hsr_distance_m sprint_count accel_count top_speed_mps avg_metabolic_power_wkg rhie_bouts hsr_m_per90 sprints_per90 rhie_per90",
    "",
  ],
  player_loads: ["player_id session_id day load load_measure minutes origin", "load_measure"],
  scouting_needs: ["need_id version role description threshold min_minutes features", ""],
  player_valuations: [
    "player_id insight_id valued_at value_index reliability minutes_observed matches inputs formula",
    "",
  ],
  scouting_decisions: ["insight_id player_id match_id need_id decision reason decided_at", ""],
  medical_alerts: ["alert_id player_id match_id detail_type status reason observed_at recorded_at", ""],
  pose_frames: [
    "match_id subject_id player_id track_id team camera_id t frame_index image_width image_height model_id model_version bbox_x bbox_y bbox_w bbox_h keypoints_found mean_score nose_x nose_y nose_score left_eye_x left_eye_y left_eye_score right_eye_x right_eye_y right_eye_score left_ear_x left_ear_y left_ear_score right_ear_x right_ear_y right_ear_score left_shoulder_x left_shoulder_y left_shoulder_score right_shoulder_x right_shoulder_y right_shoulder_score left_elbow_x left_elbow_y left_elbow_score right_elbow_x right_elbow_y right_elbow_score left_wrist_x left_wrist_y left_wrist_score right_wrist_x right_wrist_y right_wrist_score left_hip_x left_hip_y left_hip_score right_hip_x right_hip_y right_hip_score left_knee_x left_knee_y left_knee_score right_knee_x right_knee_y right_knee_score left_ankle_x left_ankle_y left_ankle_score right_ankle_x right_ankle_y right_ankle_score keypoints_3d",
    "match_id t_day",
  ],
  biomech_windows: [
    "match_id subject_id player_id team camera_id window_start window_end frames valid_frames fps filtered filtered_share knee_flexion_mean_left_deg knee_flexion_mean_right_deg knee_flexion_peak_left_deg knee_flexion_peak_right_deg hip_flexion_peak_left_deg hip_flexion_peak_right_deg elbow_flexion_mean_left_deg elbow_flexion_mean_right_deg knee_fppa_peak_left_deg knee_fppa_peak_right_deg trunk_lean_mean_deg trunk_lean_peak_deg step_axis steps cadence_spm knee_flexion_si_pct step_time_asymmetry_pct",
    "match_id window_start_day",
  ],
  wearable_windows: [
    "session_id player_id team device_id device_kind window_start window_end samples imu_samples sample_rate_hz imu_covered_s player_load player_load_2d player_load_per_min vendor_player_load impacts_light impacts_moderate impacts_heavy jumps jump_height_max_m clipped_samples hr_readings hr_covered_s hr_gap_s hr_mean_bpm hr_peak_bpm hr_z1_s hr_z2_s hr_z3_s hr_z4_s hr_z5_s trimp_edwards trimp_banister hr_max_ref_bpm hr_rest_ref_bpm hr_ref_source",
    "session_id window_start_day",
  ],
  player_daily_load: [
    "player_id day load_measure load sessions acute_ewma chronic_ewma acwr_ewma acute_rolling chronic_rolling acwr_rolling week_load monotony strain history_days",
    "day_day",
  ],
};

describe("Iceberg field ids", () => {
  it("keeps every existing column's id when a column is inserted mid-table, and gives the new one the next id", () => {
    // GIVEN the deployed table's ids
    const before = icebergTableInput(V1, "s3://w/", { evolving: V1_IDS });
    expect(ids(before.schema.fields)).toEqual({ a: 1, b: 2, c: 3 });
    // WHEN x is inserted between a and b, and given the next id in the ledger
    const after = icebergTableInput(V2, "s3://w/", { evolving: V2_IDS });
    // THEN a, b and c keep their ids (data files already written hold b under 2, c under 3), x takes 4,
    // and the key, the partition and the write order still name c by 3
    expect(after.schema.fields.map((f) => [f.name, f.id])).toEqual([
      ["a", 1],
      ["x", 4],
      ["b", 2],
      ["c", 3],
    ]);
    expect(after.schema.identifierFieldIds).toEqual([1, 3]);
    expect(after.partitionSpec.fields).toEqual([{ name: "c_day", sourceId: 3, transform: "day", fieldId: 1000 }]);
    expect(after.writeOrder.fields.map((f) => f.sourceId)).toEqual([3]);
  });

  it("fails when a column has no id, saying which id to add: the next after the table's highest", () => {
    // GIVEN x inserted in the definition only, WHEN the input is generated, THEN it is refused with the line to add
    expect(() => icebergTableInput(V2, "s3://w/", { evolving: V1_IDS })).toThrow(
      `${FILE}: column 'x' has no id: add "x": 4 to columns and set lastColumnId to 4 (the next id after the highest ever assigned`,
    );
    // and after a drop the next id is still above the dropped one's
    const dropped: TableFieldIds = { ...V1_IDS, columns: { a: 1, b: 2 }, droppedColumns: [{ name: "c", id: 3 }] };
    expect(fieldIdProblems({ ...V2, columns: V2.columns.filter((c) => c.name !== "c") }, dropped)).toEqual([
      expect.stringContaining(`column 'x' has no id: add "x": 4 to columns and set lastColumnId to 4`),
    ]);
  });

  it("fails when a pinned id changed", () => {
    // GIVEN b's id changed from 2 to 4 (and the highest raised to match)
    const changed: TableFieldIds = { ...V1_IDS, lastColumnId: 4, columns: { a: 1, b: 4, c: 3 } };
    // THEN the id left behind is reported
    expect(fieldIdProblems(V1, changed)).toEqual([
      `${FILE}: column id 2 is in neither columns nor droppedColumns: a pinned id was changed or deleted; give it back to its column (ids never change, and a dropped column stays in droppedColumns)`,
    ]);
    // and an id raised without raising the highest is outside the ledger's range
    expect(fieldIdProblems(V1, { ...V1_IDS, columns: { a: 1, b: 7, c: 3 } })).toEqual([
      `${FILE}: column 'b' has id 7, outside 1..lastColumnId (3): a new column takes lastColumnId + 1 and raises lastColumnId to it`,
      `${FILE}: column id 2 is in neither columns nor droppedColumns: a pinned id was changed or deleted; give it back to its column (ids never change, and a dropped column stays in droppedColumns)`,
    ]);
  });

  it("fails when a pinned id is given to another name as well", () => {
    expect(fieldIdProblems(V2, { ...V1_IDS, columns: { ...V1_IDS.columns, x: 2 } })).toEqual([
      `${FILE}: column id 2 is given to 'b' and 'x': an id is never reused, even after its column is dropped; give the newer one 4 and set lastColumnId to 4`,
    ]);
  });

  it("fails when a removed column's id is reused, and when a column is removed without recording its id", () => {
    // GIVEN b removed from the definition and x added
    const V3 = { ...V2, columns: V2.columns.filter((c) => c.name !== "b") };
    // WHEN b is recorded as dropped but x takes its id, THEN the reuse is refused
    const reused: TableFieldIds = { ...V1_IDS, columns: { a: 1, x: 2, c: 3 }, droppedColumns: [{ name: "b", id: 2 }] };
    expect(fieldIdProblems(V3, reused)).toEqual([
      `${FILE}: column id 2 is given to 'x' and 'b (dropped)': an id is never reused, even after its column is dropped; give the newer one 4 and set lastColumnId to 4`,
    ]);
    // WHEN b is left pinned though no longer defined, THEN the developer is told to move it to droppedColumns
    expect(fieldIdProblems(V3, V2_IDS)).toEqual([
      `${FILE}: column 'b' (id 2) is no longer defined: if it was removed, move it to droppedColumns as {"name": "b", "id": 2} so that its id is never reused; if it was renamed, rename it in columns and keep its id`,
    ]);
    // and the ledger written as told is accepted: x keeps 4, b's 2 stays taken
    const fixed: TableFieldIds = { ...V2_IDS, columns: { a: 1, x: 4, c: 3 }, droppedColumns: [{ name: "b", id: 2 }] };
    expect(fieldIdProblems(V3, fixed)).toEqual([]);
    expect(ids(icebergTableInput(V3, "s3://w/", { evolving: fixed }).schema.fields)).toEqual({ a: 1, x: 4, c: 3 });
  });

  it("keeps a partition field's id when another is inserted before it", () => {
    // GIVEN identity(a) partitioning inserted before day(c), pinned at the next partition id
    const partitioned = { ...V1, partitionBy: ["a", "day(c)"] as const };
    const pinned: TableFieldIds = { ...V1_IDS, lastPartitionId: 1001, partitionFields: { c_day: 1000, a: 1001 } };
    // THEN c_day keeps 1000, as a table's partition field ids are unique across all its specs
    expect(
      icebergTableInput(partitioned, "s3://w/", { evolving: pinned }).partitionSpec.fields.map((f) => [
        f.name,
        f.fieldId,
      ]),
    ).toEqual([
      ["a", 1001],
      ["c_day", 1000],
    ]);
    expect(() => icebergTableInput(partitioned, "s3://w/", { evolving: V1_IDS })).toThrow(
      `${FILE}: partition field 'a' has no id: add "a": 1001 to partitionFields and set lastPartitionId to 1001`,
    );
  });

  it("fails when a table has no entry, with the entry to add", () => {
    expect(() => icebergTableInput(V1, "s3://w/")).toThrow(
      `table evolving has no field ids: add "evolving": {"lastColumnId":3,"columns":{"a":1,"b":2,"c":3},"droppedColumns":[],"lastPartitionId":1000,"partitionFields":{"c_day":1000},"droppedPartitionFields":[]} to lambdas/contracts/tables/field-ids.json`,
    );
  });

  it("has a consistent ledger entry for every lake table, and none for a table that is not one", () => {
    const ledger = fieldIdLedger();
    expect(Object.keys(ledger).sort()).toEqual(TABLES.map((t) => t.name).sort());
    expect(TABLES.flatMap((t) => fieldIdProblems(t, ledger[t.name]))).toEqual([]);
  });

  it("keeps the ids deployed before the ledger existed", () => {
    const byId = (pins: Readonly<Record<string, number>>) =>
      Object.entries(pins)
        .sort(([, x], [, y]) => x - y)
        .map(([name]) => name);
    const ledger = fieldIdLedger();
    for (const [table, [columns, partitionFields]] of Object.entries(DEPLOYED_BEFORE_THE_LEDGER)) {
      const entry = ledger[table]!;
      const names = columns.split(" ");
      const parts = partitionFields ? partitionFields.split(" ") : [];
      // ids 1..n and 1000..: the names deployed under them, whether still defined or since dropped
      const all = { ...entry.columns, ...Object.fromEntries(entry.droppedColumns.map((d) => [d.name, d.id])) };
      const allParts = {
        ...entry.partitionFields,
        ...Object.fromEntries(entry.droppedPartitionFields.map((d) => [d.name, d.id])),
      };
      expect({
        table,
        columns: byId(all).slice(0, names.length),
        partitionFields: byId(allParts).slice(0, parts.length),
      }).toEqual({
        table,
        columns: names,
        partitionFields: parts,
      });
      expect(
        byId(all)
          .slice(0, names.length)
          .map((n) => all[n]),
      ).toEqual(names.map((_, i) => i + 1));
    }
  });
});
