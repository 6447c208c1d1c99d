"""Tasks: each ready user task of a dossier's process, routed by role and unit."""
