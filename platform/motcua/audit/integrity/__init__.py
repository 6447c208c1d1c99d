"""Tamper evidence: the history's hash chains verified, and their heads signed daily."""
