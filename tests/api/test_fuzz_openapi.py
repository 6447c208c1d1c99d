"""The API against its own OpenAPI document, fuzzed by schemathesis in-process (WSGI): for
every operation, cases drawn from the document (valid ones and invalid ones), sent as each
role of the sample province and anonymously. No answer is a server error, and each answer's
status, content type, headers and body conform to the document.

Bounded and repeatable: a fixed seed, a few examples per operation and mode, no example
database; on SQLite only (the input guard and the document are the same on both databases,
and each finding's regression test in test_fuzz_findings.py runs on both). Each role's run is
one test on the rolled-back database, so what its writes leave behind is gone afterwards.

Two tests: per role, cases drawn with schemathesis' Python API (``APIOperation.as_strategy``)
under a plain Hypothesis ``@given`` (its pytest integration, ``from_fixture``, does not run on
pytest 9.2: it sets ``Function._nodeid``), valid, invalid, and valid with the ids of real
dossiers, tasks, drafts and versions in the path; and schemathesis' own engine in its coverage
phase (boundary values) as the designer and the auditor."""

from __future__ import annotations

import os
import re
import time
from collections import Counter
from typing import Any

import pytest
import schemathesis
from flask import Flask
from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.engine import Status, events, from_schema

from support.api import AGENCY, PROCEDURE, Api, new_dossier
from support.fuzz import CHECK_NAMES, CHECKS, DOCUMENT, SEED, fuzz_config

# Per operation, role and mode (valid, invalid, valid with real ids); more for a deeper run
# by hand: MOTCUA_FUZZ_EXAMPLES=100 pytest tests/api/test_fuzz_openapi.py
EXAMPLES = int(os.environ.get("MOTCUA_FUZZ_EXAMPLES", "6"))
# One account per role of the sample province, and nobody.
ROLES = {
    "anonymous": None,
    "receiver": "mc.lan",
    "specialist": "cv.mai",
    "unit_head": "tp.hung",
    "leader": "gd.son",
    "designer": "qt.binh",  # also the agency's admin
    "auditor": "ks.nga",
}
SETTINGS = settings(max_examples=EXAMPLES, derandomize=True, database=None, deadline=None,
                    phases=[Phase.explicit, Phase.generate, Phase.shrink], print_blob=False,
                    suppress_health_check=list(HealthCheck))
# The boundary values of schemathesis' coverage phase (lengths and ranges at and past their
# limits, missing and extra parameters, wrong types) are many and the same for every role:
# sent as the two whose endpoints reach furthest past the role checks.
BOUNDARY_ROLES = ("designer", "auditor")


def run_operation(operation: Any, mode: GenerationMode, headers: dict[str, str] | None,
                  figures: Counter[str], **fixed: Any) -> str | None:
    """Fuzz one operation in one mode (``fixed``: path or query values not drawn); the
    failure's report, or None."""

    @seed(SEED)
    @SETTINGS
    @given(case=operation.as_strategy(generation_mode=mode, **fixed))
    def fuzz(case: Any) -> None:
        response = case.call_and_validate(headers=headers, checks=CHECKS)
        figures["cases"] += 1
        figures[f"status {response.status_code}"] += 1

    try:
        fuzz()
    except Unsatisfiable:
        figures["unsatisfiable"] += 1  # nothing invalid to draw (no parameters, no body)
    except (Exception, BaseExceptionGroup) as exc:
        # A check's failure, or the exception of a server error (TESTING lets it through)
        # with Hypothesis' note of the case that raised it.
        notes = "\n".join(getattr(exc, "__notes__", []))
        return (f"{operation.label} [{mode.value}{' ' + str(fixed) if fixed else ''}]: "
                f"{type(exc).__name__}: {exc}\n{notes}")
    return None


@pytest.fixture
def known(api: Api, sample: dict[str, Any]) -> dict[str, Any]:
    """Real things of the sample province to put in paths and filters, so that the cases
    reach past the 404 of an id nobody has: a dossier at the desk with its task, a draft of
    the sample procedure with its first form, the published version, an indicator."""
    dossier = new_dossier(api)
    version = api.get("qt.binh", "/processes", query_string={"procedure": PROCEDURE}
                      ).get_json()[0]
    draft = api.post("qt.binh", "/drafts", json={"procedure": PROCEDURE,
                                                 "from_version": version["version"]}).get_json()
    forms = api.get("qt.binh", f"/drafts/{draft['id']}/forms").get_json()["forms"]
    indicators = api.get("ks.nga", "/audit/indicators").get_json()["indicators"]
    return {"code": dossier["code"], "task_id": dossier["tasks"][0]["id"],
            "draft_id": draft["id"], "version_id": version["id"],
            "form": forms[0]["key"], "indicator": indicators[0]["key"],
            "procedure": PROCEDURE, "agency": AGENCY, "dossier": dossier["code"]}


def known_values(operation: Any, known: dict[str, Any]) -> dict[str, Any]:
    """The path parameters of ``operation`` and its query filters naming a procedure, an
    agency or a dossier, set to real ones."""
    names = set(re.findall(r"{(\w+)}", operation.path))
    path = {name: known[name] for name in names if name in known}
    if "key" in names:
        path["key"] = known["form" if "/forms/" in operation.path else "indicator"]
    query = {p.name: known[p.name] for p in operation.query if p.name in known}
    return {k: v for k, v in (("path_parameters", path), ("query", query)) if v}


@pytest.fixture
def fuzz_schema(app: Flask, sample: dict[str, Any]) -> Any:
    return schemathesis.openapi.from_wsgi(DOCUMENT, app, config=fuzz_config())


@pytest.mark.slow
@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
@pytest.mark.parametrize("role", list(ROLES))
def test_api_conforms_to_its_document(fuzz_schema: Any, known: dict[str, Any], api: Api,
                                      role: str) -> None:
    username = ROLES[role]
    headers = {"Authorization": f"Bearer {api.token(username)}"} if username else None
    figures: Counter[str] = Counter()
    failures: list[str] = []
    started = time.perf_counter()
    operations = [result.ok() for result in fuzz_schema.get_all_operations()]
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            failure = run_operation(operation, mode, headers, figures)
            if failure is not None:
                failures.append(failure)
        if fixed := known_values(operation, known):
            failure = run_operation(operation, GenerationMode.POSITIVE, headers, figures, **fixed)
            if failure is not None:
                failures.append(failure)
    seconds = time.perf_counter() - started
    print(f"\nfuzz as {role}: {len(operations)} operations, {figures['cases']} cases, "
          f"{seconds:.1f} s; {dict(sorted(figures.items()))}")
    assert not failures, f"{len(failures)} failures as {role}:\n\n" + "\n\n".join(failures)


@pytest.mark.slow
@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
@pytest.mark.parametrize("role", BOUNDARY_ROLES)
def test_boundary_values_conform(app: Flask, sample: dict[str, Any], api: Api,
                                 role: str) -> None:
    """Schemathesis' own engine, in its coverage phase only, with the same checks."""
    username = ROLES[role]
    assert username is not None
    config = fuzz_config(
        generation={"deterministic": True, "database": "none"},
        phases={"examples": {"enabled": False}, "fuzzing": {"enabled": False},
                "stateful": {"enabled": False}},
        checks={"enabled": False, **{name: {"enabled": True} for name in CHECK_NAMES}},
        headers={"Authorization": f"Bearer {api.token(username)}"})
    schema = schemathesis.openapi.from_wsgi(DOCUMENT, app, config=config)
    cases = 0
    failures: list[str] = []
    started = time.perf_counter()
    for event in from_schema(schema).execute():
        if isinstance(event, events.ScenarioFinished):
            cases += len(event.recorder.cases)
            failures.extend(
                f"{event.label}: {check.name}: {check.failure_info.failure}"
                for checks in event.recorder.checks.values() for check in checks
                if check.status == Status.FAILURE and check.failure_info is not None)
        elif isinstance(event, (events.NonFatalError, events.FatalError)):
            failures.append(f"{type(event).__name__}: {event}")
    seconds = time.perf_counter() - started
    print(f"\nboundary values as {role}: {cases} cases, {seconds:.1f} s")
    assert cases > 1000
    assert not failures, f"{len(failures)} failures as {role}:\n\n" + "\n\n".join(failures)
