"""Dossiers: one application, with its code, data, workflow state and history."""
