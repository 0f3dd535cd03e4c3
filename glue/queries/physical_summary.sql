-- Physical summary per player per match: minutes tracked, distances by speed band, efforts, top speed and metabolic power.
SELECT
  match_id,
  player_id,
  max(team) AS team,
  round(sum(tracked_s) / 60, 1) AS minutes,
  round(sum(distance_m)) AS distance_m,
  round(sum(hi_distance_m)) AS hi_distance_m,
  round(sum(hsr_distance_m)) AS hsr_distance_m,
  round(sum(sprint_distance_m)) AS sprint_distance_m,
  sum(sprint_count) AS sprints,
  sum(accel_count) AS accels,
  sum(decel_count) AS decels,
  round(max(top_speed_mps), 2) AS top_speed_mps,
  round(sum(metabolic_energy_jkg) / nullif(sum(tracked_s), 0), 2) AS avg_metabolic_power_wkg
FROM player_windows
GROUP BY match_id, player_id
ORDER BY match_id, distance_m DESC
