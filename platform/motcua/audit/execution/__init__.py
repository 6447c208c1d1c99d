"""Execution conformance: each dossier's history replayed against the version it ran."""
