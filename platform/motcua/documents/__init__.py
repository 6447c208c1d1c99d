"""The standard documents of Circular 03/2025/TT-VPCP (Mẫu 01–07) as printable pages and PDF."""

from __future__ import annotations

from flask import Flask


def register_documents(app: Flask) -> None:
    from motcua.documents.views import bp

    app.register_blueprint(bp)
