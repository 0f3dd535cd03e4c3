-- Quarantine review: what was rejected, where, how often, and one record to look at for each reason.
SELECT
  source,
  regexp_replace(reason, '^[0-9]+ sample\(s\) from index [0-9]+: ', '') AS reason,
  count(*) AS records,
  sum(sample_count) AS samples,
  min(quarantined_at) AS first_seen,
  max(quarantined_at) AS last_seen,
  max(record_ref) AS example_ref
FROM quarantine
GROUP BY 1, 2
ORDER BY samples DESC, records DESC
