-- Each player's latest day per load measure: the day's load, both acute:chronic ratios, monotony and
-- strain, flagged at the Player Load Spike's 1.5. Measures are never added together: one row each.
WITH latest AS (
  SELECT
    player_id,
    load_measure,
    day,
    load,
    acwr_ewma,
    acwr_rolling,
    monotony,
    strain,
    history_days,
    row_number() OVER (PARTITION BY player_id, load_measure ORDER BY day DESC) AS rn
  FROM player_daily_load
)
SELECT
  player_id,
  load_measure,
  day,
  round(load, 1) AS load,
  round(acwr_ewma, 2) AS acwr_ewma,
  round(acwr_rolling, 2) AS acwr_rolling,
  round(monotony, 2) AS monotony,
  round(strain, 0) AS strain,
  history_days,
  coalesce(acwr_ewma > 1.5, false) AS flagged
FROM latest
WHERE rn = 1
ORDER BY flagged DESC, acwr_ewma DESC NULLS LAST, player_id, load_measure
