"""The audit trail: stream records become append-only history entries."""
