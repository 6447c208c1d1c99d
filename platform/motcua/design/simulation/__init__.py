"""Test runs of drafts (issue 9, item 2): the real checks, engine and working-time calendar
on a dossier held in memory; see ``run`` for the rules of time, and ``ledger`` for the
statuses and documents."""

from motcua.design.simulation.run import MAX_VISITS, Request, Simulation, simulate

__all__ = ["MAX_VISITS", "Request", "Simulation", "simulate"]
