"""Pure helpers for the admin feature (no discord import)."""

from __future__ import annotations


def human_size(num_bytes: int) -> str:
    """`1536` → `1.5 KiB`: sizes an operator can read at a glance."""
    value = float(num_bytes)
    for unit in ("B", "KiB", "MiB", "GiB"):
        if value < 1024 or unit == "GiB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{value:.1f} GiB"


def split_uptime(seconds: float) -> tuple[int, int, int]:
    """Seconds → (days, hours, minutes)."""
    minutes_total = int(seconds) // 60
    days, rest = divmod(minutes_total, 24 * 60)
    hours, minutes = divmod(rest, 60)
    return days, hours, minutes
