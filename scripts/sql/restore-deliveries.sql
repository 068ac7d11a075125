-- Before rolling back from 0.6.0 to 0.5.0, and again right after (docs/operations.md, Rollback): 0.5.0 reads and writes
-- `deliveries`, which 0.6.0 no longer writes. Run on each database until it changes no rows; each of its two statements
-- takes at most 5000 a run. An account a move has frozen or moved away is left out: roll back between moves.
--
-- First each delivery of deliveries_v2 that `deliveries` does not hold as it is there, written as 0.5.0 keeps it
-- (0014's insert trigger copies it back, unchanged).
INSERT OR REPLACE INTO deliveries (account_id, id, event_id, endpoint_id, status, claim_id, created_at, attempt_count, next_attempt_at,
	lease_until, updated_at, ok_seq, ok_started_at, ok_duration_ms, ok_status_code, ok_response)
SELECT t.* FROM (
	SELECT CASE typeof(v.account_id) WHEN 'blob' THEN 'acc_' || lower(hex(v.account_id)) ELSE v.account_id END AS account_id,
		'dlv_' || lower(hex(v.id)) AS id,
		'evt_' || lower(hex(CASE length(v.event) WHEN 8 THEN substr(v.id, 1, 6) || v.event ELSE v.event END)) AS event_id,
		e.endpoint_id,
		CASE v.status WHEN 0 THEN 'new' WHEN 1 THEN 'pending' WHEN 2 THEN 'retrying' WHEN 3 THEN 'delivered' WHEN 4 THEN 'failed'
			WHEN 5 THEN 'cancelled' END AS status,
		CASE WHEN v.claim_id IS NOT NULL THEN 'clm_' || lower(hex(v.claim_id)) END AS claim_id,
		-- The millisecond the id starts with, from its 12 hex digits.
		(instr('0123456789abcdef', substr(lower(hex(substr(v.id, 1, 6))), 1, 1)) - 1) * 17592186044416 + (instr('0123456789abcdef', substr(lower(hex(substr(v.id, 1, 6))), 2, 1)) - 1) * 1099511627776 + (instr('0123456789abcdef', substr(lower(hex(substr(v.id, 1, 6))), 3, 1)) - 1) * 68719476736 + (instr('0123456789abcdef', substr(lower(hex(substr(v.id, 1, 6))), 4, 1)) - 1) * 4294967296 + (instr('0123456789abcdef', substr(lower(hex(substr(v.id, 1, 6))), 5, 1)) - 1) * 268435456 + (instr('0123456789abcdef', substr(lower(hex(substr(v.id, 1, 6))), 6, 1)) - 1) * 16777216 + (instr('0123456789abcdef', substr(lower(hex(substr(v.id, 1, 6))), 7, 1)) - 1) * 1048576 + (instr('0123456789abcdef', substr(lower(hex(substr(v.id, 1, 6))), 8, 1)) - 1) * 65536 + (instr('0123456789abcdef', substr(lower(hex(substr(v.id, 1, 6))), 9, 1)) - 1) * 4096 + (instr('0123456789abcdef', substr(lower(hex(substr(v.id, 1, 6))), 10, 1)) - 1) * 256 + (instr('0123456789abcdef', substr(lower(hex(substr(v.id, 1, 6))), 11, 1)) - 1) * 16 + (instr('0123456789abcdef', substr(lower(hex(substr(v.id, 1, 6))), 12, 1)) - 1) * 1 AS created_at,
		v.attempt_count, v.next_attempt_at, v.lease_until, v.updated_at, v.ok_seq, v.ok_started_at, v.ok_duration_ms, v.ok_status_code,
		v.ok_response
	FROM deliveries_v2 v JOIN endpoint_keys e ON e.key = v.endpoint_key
) t
WHERE NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.account_id = t.account_id AND d.id = t.id AND d.status = t.status
		AND d.attempt_count = t.attempt_count AND d.next_attempt_at IS t.next_attempt_at AND d.claim_id IS t.claim_id
		AND d.lease_until IS t.lease_until AND d.updated_at = t.updated_at AND d.ok_seq IS t.ok_seq)
	AND NOT EXISTS (SELECT 1 FROM account_markers m WHERE m.account_id = t.account_id AND m.state IN ('frozen', 'moved'))
LIMIT 5000;

-- Then each row of `deliveries` whose delivery deliveries_v2 no longer holds (retention purged it): 0.5.0 would take it
-- up as it last left it. Only a row 0012 could copy (its ids of the usual form, a known status): the others were never
-- in deliveries_v2.
DELETE FROM deliveries WHERE (account_id, id) IN (
	SELECT d.account_id, d.id FROM deliveries d
	WHERE d.id GLOB 'dlv_*' AND length(unhex(substr(d.id, 5))) = 14 AND d.event_id GLOB 'evt_*' AND length(unhex(substr(d.event_id, 5))) = 14
		AND d.status IN ('new', 'pending', 'retrying', 'delivered', 'failed', 'cancelled')
		AND NOT EXISTS (SELECT 1 FROM deliveries_v2 v
			WHERE v.account_id = CASE WHEN d.account_id GLOB 'acc_*' AND length(unhex(substr(d.account_id, 5))) = 14 THEN unhex(substr(d.account_id, 5)) ELSE d.account_id END
				AND v.endpoint_key = (SELECT key FROM endpoint_keys WHERE endpoint_id = d.endpoint_id) AND v.id = unhex(substr(d.id, 5)))
		AND NOT EXISTS (SELECT 1 FROM account_markers m WHERE m.account_id = d.account_id AND m.state IN ('frozen', 'moved'))
	LIMIT 5000
);
