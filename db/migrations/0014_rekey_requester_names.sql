-- Requester names fold more look-alikes now (db/requester_identity.py): Hangul fillers
-- that show as blank space, small capitals ("ᴀᴄᴍᴇ") and Cherokee letters that imitate
-- Latin ones no longer make a flagged requester's name look like another name. SQL
-- cannot compute the key, so every record is marked for `db.requesters.rekey_names`,
-- which re-keys it when the bot next starts (once; new rows get the new key).
UPDATE requesters SET key_version = 1;
