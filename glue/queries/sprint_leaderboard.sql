-- Sprint leaderboard: sprints and sprint distance per 90 minutes tracked, for players with at least 45 minutes.
SELECT
  player_id,
  max(team) AS team,
  round(sum(tracked_s) / 60) AS minutes,
  sum(sprint_count) AS sprints,
  round(sum(sprint_count) * 5400.0 / sum(tracked_s), 1) AS sprints_per_90,
  round(sum(sprint_distance_m) * 5400.0 / sum(tracked_s)) AS sprint_m_per_90,
  round(max(top_speed_mps), 2) AS top_speed_mps
FROM player_windows
GROUP BY player_id
HAVING sum(tracked_s) >= 2700
ORDER BY sprints_per_90 DESC, player_id
LIMIT 20
