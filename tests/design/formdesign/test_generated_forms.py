"""The forms of a draft generated from a decision's step table open in the form designer as
rows (nothing kept as JSON only) and validate the same data once compiled again."""

from __future__ import annotations

from typing import Any

from flask import Flask
from formdesign_support import broken, problems, round_trip
from sqlalchemy import select

from motcua.catalog.models import Procedure
from motcua.db import db
from motcua.design.formdesign.readback import readback
from motcua.design.generate import generate_draft
from motcua.org.models import User
from support.api import PROCEDURE
from support.formdata import example_for


def test_generated_forms_read_back_into_rows(app: Flask, sample: dict[str, Any]) -> None:
    user = db.session.scalar(select(User).where(User.username == "qt.binh"))
    procedure = db.session.scalar(select(Procedure).where(Procedure.code == PROCEDURE))
    assert user is not None and procedure is not None
    draft = generate_draft(procedure, user)
    assert draft.forms
    for key, form in draft.forms.items():
        schema, ui = form["schema"], form.get("ui")
        rows = readback(schema, ui)
        assert not rows.verbatim and rows.rows, key
        assert all(r.type != "advanced" for r in rows.rows), key
        again, _ = round_trip(schema, ui)
        good = example_for(schema)
        for data in [good, *broken(schema, good)]:
            assert problems(data, again) == problems(data, schema), (key, data)
