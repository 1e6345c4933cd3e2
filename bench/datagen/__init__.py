"""The generated community store: deterministic (seeded), big, written fast.

Run as a child process (`python -m bench.datagen --sizes full --seed 7 --out store.db`) so
the benchmark's own memory figure is not inflated by the generator's garbage. The schema
comes from the bot's migrations (`Database.open` + `migrate`), then each table is filled
with the standard `sqlite3` module in large transactions; secondary indexes are dropped
during the load and rebuilt from their own `CREATE INDEX` text afterwards, which is much
faster than maintaining them row by row and leaves exactly the schema the bot created.

`ensure_store` caches the result by everything that shapes it (sizes, seed, migration
files, the generator's sources), so repeated runs reuse the file.
"""

from bench.datagen.generator import NOW
from bench.datagen.store import cache_dir, ensure_store, generate, main

__all__ = ["NOW", "cache_dir", "ensure_store", "generate", "main"]
