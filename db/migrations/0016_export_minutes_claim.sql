-- An exports-channel message waiting for its author's minutes is claimed by the form
-- submission that shares it (db/intake.py `claim_export`), so two forms sent together
-- share it once: the second is told it is already being posted, and cannot rewrite the
-- record the first one made (which would lose the take-back on delete). NULL: free. A
-- claim older than an interaction's lifetime was left by a crash and may be taken again.

ALTER TABLE export_messages ADD COLUMN claimed_at INTEGER;
