"""Operations sub-commands (restore, stats) registered on the CLI.

Kept apart from `bot.cli` so the operations feature can grow without touching the core
entry point.
"""
