"""Over the wire: the unmodified bot against a Discord-shaped server on loopback."""
