-- PostgreSQL twin of db/migrations/0016_export_minutes_claim.sql: the claim of an
-- exports-channel message by the form submission that shares it (NULL: free).

ALTER TABLE export_messages ADD COLUMN claimed_at BIGINT;
