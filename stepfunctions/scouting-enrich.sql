-- The candidate's physical profile over his recent matches, ranked against every player in the lake.
-- Runs on Athena (Trino) from the scouting workflow, and on DuckDB locally: portable SQL only.
-- ? is the player_id (Athena ExecutionParameters). Constants: VALUATION_RECENT_MATCHES = 5 and
-- VALUATION_MIN_MATCH_MINUTES = 20 (lambdas/core/valuation.ts; a test keeps them equal).
WITH recent AS (
  SELECT player_id, minutes, hsr_distance_m, sprint_count, rhie_bouts, top_speed_mps, avg_metabolic_power_wkg,
         row_number() OVER (PARTITION BY player_id ORDER BY match_end DESC) AS rn
  FROM player_match_profiles
  WHERE minutes >= 20
), profile AS (
  SELECT player_id,
         count(*) AS matches,
         sum(minutes) AS minutes,
         sum(hsr_distance_m) / sum(minutes) * 90 AS hsr_m_per90,
         sum(sprint_count) / sum(minutes) * 90 AS sprints_per90,
         sum(rhie_bouts) / sum(minutes) * 90 AS rhie_per90,
         max(top_speed_mps) AS top_speed_mps,
         sum(avg_metabolic_power_wkg * minutes) / sum(minutes) AS avg_metabolic_power_wkg
  FROM recent
  WHERE rn <= 5
  GROUP BY player_id
), ranked AS (
  SELECT profile.*,
         count(*) OVER () AS population,
         percent_rank() OVER (ORDER BY hsr_m_per90) AS hsr_m_per90_pct,
         percent_rank() OVER (ORDER BY sprints_per90) AS sprints_per90_pct,
         percent_rank() OVER (ORDER BY rhie_per90) AS rhie_per90_pct,
         percent_rank() OVER (ORDER BY top_speed_mps) AS top_speed_mps_pct,
         percent_rank() OVER (ORDER BY avg_metabolic_power_wkg) AS avg_metabolic_power_wkg_pct
  FROM profile
)
SELECT * FROM ranked WHERE player_id = ?
