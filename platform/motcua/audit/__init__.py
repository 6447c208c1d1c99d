"""The auditors' capability: finding and checking dossiers and processes against the
published decisions, tamper evidence of the history, statistics and Decision 766 indicators.
It only reads the other domains (its own tables are the access log, the signed tree heads
and its settings)."""
