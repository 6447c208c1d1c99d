"""The designers' capability: drafts, the modeler, checks, generation and publishing."""

from __future__ import annotations

from flask import Flask
from flask_smorest import Blueprint


def register_design(app: Flask) -> tuple[Blueprint, ...]:
    """Mount the designer's pages; answer its API blueprint for the API to mount."""
    from motcua.design.diffs.pages import diff_pages
    from motcua.design.diffs.views import diff_blp
    from motcua.design.formdesign.pages import formdesign_pages
    from motcua.design.formdesign.views import formdesign_blp
    from motcua.design.modeler import modeler_blp
    from motcua.design.pages import bp
    from motcua.design.simulation.views import simulation_blp
    from motcua.design.views import blp

    app.register_blueprint(bp)
    app.register_blueprint(modeler_blp)
    app.register_blueprint(diff_pages)
    app.register_blueprint(formdesign_pages)
    return (blp, simulation_blp, diff_blp, formdesign_blp)
