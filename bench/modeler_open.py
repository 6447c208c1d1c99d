"""How long the modeler takes to open a 200-step diagram in Debian's Chromium.

    .venv/bin/python bench/modeler_open.py [--runs 11]

Serves the app on a free local port (its own SQLite file, the sample province), stores the
200-step diagram of ``check_large.py`` as a draft of the sample procedure, signs in as its
designer and opens the modeler page ``--runs`` times. Each figure is the time from the start
of the navigation to the modeler's ready mark (diagram imported, properties panel drawn),
read from the page's own performance timeline. Measured in the same run: a blank draft in
the modeler (the bundle's fixed cost) and a plain server page (the floor every page pays).
Needs the bundle (``make web``). Figures only; the target is under 2 s.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "platform"), str(ROOT / "tests"), str(ROOT / "tests" / "browser"),
                str(ROOT / "bench")]

from browser_support import Actors, chromium, fresh_shots, live_server  # noqa: E402
from check_large import build  # noqa: E402

from support.clock import FakeClock, local  # noqa: E402

PROCEDURE = "2.000488"
READY = "performance.getEntriesByName('motcua-modeler-ready')[0].startTime"
LOADED = "performance.getEntriesByType('navigation')[0].loadEventEnd"


def _drafts(app: Any, big: bytes) -> tuple[int, int]:
    from sqlalchemy import select

    from motcua.catalog.models import Procedure
    from motcua.db import db
    from motcua.design import operations
    from motcua.org.models import User

    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == "qt.binh"))
        procedure = db.session.scalar(select(Procedure).where(Procedure.code == PROCEDURE))
        assert user is not None and procedure is not None
        large = operations.create(procedure, user, bpmn=big, filename="large.bpmn")
        blank = operations.create(procedure, user)
        db.session.commit()
        return large.id, blank.id


def _open(page: Any, url: str, mark: str) -> float:
    page.goto(url)
    if mark == READY:
        page.wait_for_selector("body[data-modeler-ready=true]", timeout=30_000)
    else:
        page.wait_for_load_state("load")
        page.wait_for_function(f"{LOADED} > 0")
    return float(page.evaluate(mark))


def _median(page: Any, url: str, mark: str, runs: int) -> tuple[float, float]:
    _open(page, url, mark)  # warm the cache and the server, as a designer's second visit
    times = [_open(page, url, mark) for _ in range(runs)]
    return statistics.median(times), min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=11)
    args = parser.parse_args()
    big, _procedure = build()
    with tempfile.TemporaryDirectory() as tmp, \
            live_server(Path(tmp), FakeClock(local(2026, 3, 16, 9, 0))) as server, \
            chromium() as browser:
        large, blank = _drafts(server.app, big)
        actors = Actors(browser, server, fresh_shots("bench"))
        try:
            page = actors.new("qt.binh").page
            if page.goto(server.url + "/static/build/modeler.js").status != 200:
                raise SystemExit("the modeler's bundle is missing: run `make web`")
            floor = _median(page, f"{server.url}/design", LOADED, args.runs)
            empty = _median(page, f"{server.url}/design/drafts/{blank}", READY, args.runs)
            full = _median(page, f"{server.url}/design/drafts/{large}", READY, args.runs)
            shapes = page.evaluate("window.motcuaModeler.get('elementRegistry')"
                                   ".filter((e) => e.type === 'bpmn:UserTask').length")
        finally:
            actors.close()
    print(f"diagram: {shapes} user tasks, {len(big) // 1024} KiB of BPMN; {args.runs} runs each")
    print(f"baseline, the library page (load event): median {floor[0]:.0f} ms "
          f"(min {floor[1]:.0f})")
    print(f"modeler on a blank draft (ready): median {empty[0]:.0f} ms (min {empty[1]:.0f})")
    print(f"modeler on the 200-step draft (ready): median {full[0]:.0f} ms "
          f"(min {full[1]:.0f}); target < 2000 ms: " + ("met" if full[0] < 2000 else "NOT met"))


if __name__ == "__main__":
    main()
