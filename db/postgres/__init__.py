"""What only a PostgreSQL store needs: the driver-level pieces (asyncpg) behind `db/`."""
