"""A dossier's history: the one funnel (``record``) that writes every event, under the
dossier's lock, so the control slip and the audit read one complete, ordered record."""
