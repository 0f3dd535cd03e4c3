-- Scouting candidates with their score, valuation and the scout's decision, best valued first.
SELECT
  i.player_id,
  i.match_id,
  -- json_value returns text in Trino but JSON in DuckDB: the string is read with a regular expression
  regexp_extract(i.detail, '"need_id":"([^"]+)"', 1) AS need_id,
  round(CAST(json_value(i.detail, '$.score') AS DOUBLE), 3) AS score,
  round(CAST(json_value(i.detail, '$.confidence') AS DOUBLE), 2) AS confidence,
  round(v.value_index, 1) AS value_index,
  round(v.reliability, 2) AS reliability,
  coalesce(d.decision, 'pending') AS decision,
  d.reason,
  i.insight_id
FROM insights AS i
LEFT JOIN player_valuations AS v ON v.insight_id = i.insight_id
LEFT JOIN scouting_decisions AS d ON d.insight_id = i.insight_id
WHERE i.detail_type = 'Scouting Candidate Matched'
ORDER BY value_index DESC NULLS LAST, score DESC
