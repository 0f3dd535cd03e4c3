-- Each player's load match by match, beside the average of his previous three matches.
WITH per_match AS (
  SELECT
    player_id,
    match_id,
    min(window_start) AS first_window,
    sum(distance_m) AS distance_m,
    sum(hsr_distance_m) AS hsr_distance_m,
    sum(metabolic_energy_jkg) AS energy_jkg
  FROM player_windows
  GROUP BY player_id, match_id
)
SELECT
  player_id,
  match_id,
  first_window,
  round(distance_m) AS distance_m,
  round(hsr_distance_m) AS hsr_distance_m,
  round(energy_jkg) AS energy_jkg,
  round(avg(distance_m) OVER (PARTITION BY player_id ORDER BY first_window ROWS BETWEEN 3 PRECEDING AND 1 PRECEDING)) AS prev3_avg_distance_m
FROM per_match
ORDER BY player_id, first_window
