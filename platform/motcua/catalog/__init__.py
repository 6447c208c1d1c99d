"""Catalogue: published decisions and the procedures they create, amend, replace or abolish."""
