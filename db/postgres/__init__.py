"""The PostgreSQL backend, behind the same calls as the SQLite one.

`database` (PgDatabase: pool and helpers), `cursor` (its transaction and cursor
objects), `sql` (the `?`/`:name` → `$n` rewrite), `errors` (transient failures) and
`notify` (LISTEN/NOTIFY, what must reach every process).

The contract repositories rely on is written down in docs/postgresql.md ("Connection
layer").
"""
