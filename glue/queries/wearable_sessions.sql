-- Each player's wearable sessions, device by device: minutes covered, PlayerLoad (at the device's own
-- rate, never compared across rates), impacts, jumps, heart rate, minutes above 80 % of HRmax and TRIMP.
SELECT
  player_id,
  session_id,
  device_kind,
  min(window_start) AS first_window,
  max(sample_rate_hz) AS sample_rate_hz,
  round(sum(imu_covered_s) / 60, 1) AS imu_minutes,
  round(sum(player_load), 1) AS player_load,
  round(sum(player_load) / nullif(sum(imu_covered_s) / 60, 0), 2) AS player_load_per_min,
  sum(impacts_light + impacts_moderate + impacts_heavy) AS impacts,
  sum(jumps) AS jumps,
  round(sum(hr_covered_s) / 60, 1) AS hr_minutes,
  round(sum(hr_z4_s + hr_z5_s) / 60, 1) AS minutes_above_80pct_hrmax,
  round(sum(trimp_edwards), 1) AS trimp_edwards,
  round(sum(trimp_banister), 1) AS trimp_banister
FROM wearable_windows
GROUP BY player_id, session_id, device_kind
ORDER BY player_id, first_window, device_kind
