"""A parsed BPMN document and the look-ups the checks share."""

from __future__ import annotations

from collections.abc import Iterator
from functools import cached_property

from lxml import etree

from motcua.processes.checks.problems import Problem, Severity

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
SPIFF_NS = "http://spiffworkflow.org/bpmn/schema/1.0/core"
NS = {"bpmn": BPMN_NS, "spiffworkflow": SPIFF_NS}
# Namespaces whose ``id`` attributes are XML ids of the BPMN document (xs:ID, unique in the
# file); extension elements of other tools may carry "id" attributes meaning anything.
_ID_NAMESPACES = (
    BPMN_NS,
    "http://www.omg.org/spec/BPMN/20100524/DI",
    "http://www.omg.org/spec/DD/20100524/DC",
    "http://www.omg.org/spec/DD/20100524/DI",
)

# Activities that hold their own flow of nodes and sequence flows.
SUBPROCESS_TAGS = ("subProcess", "transaction", "adHocSubProcess")
# Officer steps: a manual task is a user task whose work happens off-screen; both wait for
# an officer to complete them, so both get a role, a unit and a deadline.
HUMAN_TASK_TAGS = ("userTask", "manualTask")


def bpmn_tag(name: str) -> str:
    return f"{{{BPMN_NS}}}{name}"


def local_name(el: etree._Element) -> str | None:
    """Local name of a BPMN-namespace element, None for anything else (comments, foreign)."""
    tag = el.tag
    if not isinstance(tag, str) or not tag.startswith(f"{{{BPMN_NS}}}"):
        return None
    return tag[len(BPMN_NS) + 2 :]


def is_bpmn(el: etree._Element, *names: str) -> bool:
    return local_name(el) in names


def bpmn_children(el: etree._Element, *names: str) -> list[etree._Element]:
    return [c for c in el if local_name(c) is not None and (not names or local_name(c) in names)]


def element_text(el: etree._Element | None) -> str:
    if el is None:
        return ""
    return "".join(el.itertext()).strip()


def label(el: etree._Element) -> str:
    """How to name an element to a designer: its name and id, or just its id."""
    name = " ".join((el.get("name") or "").split())
    ident = el.get("id") or "?"
    return f'"{name}" ({ident})' if name else ident


class Document:
    """One BPMN file: its tree, its name, and indexes built on first use."""

    def __init__(self, tree: etree._ElementTree, filename: str) -> None:
        self.tree = tree
        self.root = tree.getroot()
        self.filename = filename

    @cached_property
    def ids(self) -> dict[str, list[etree._Element]]:
        found: dict[str, list[etree._Element]] = {}
        for el in self.root.iter(*(f"{{{ns}}}*" for ns in _ID_NAMESPACES)):
            ident = el.get("id")
            if ident is not None:
                found.setdefault(ident, []).append(el)
        return found

    def find(self, ident: str | None) -> etree._Element | None:
        if not ident:
            return None
        found = self.ids.get(ident)
        return found[0] if found else None

    @cached_property
    def processes(self) -> list[etree._Element]:
        return bpmn_children(self.root, "process")

    def process(self, ident: str) -> etree._Element | None:
        return next((p for p in self.processes if p.get("id") == ident), None)

    @cached_property
    def lanes(self) -> dict[str, etree._Element]:
        """Flow node id -> the innermost lane listing it in a flowNodeRef."""
        index: dict[str, etree._Element] = {}
        depth: dict[str, int] = {}
        for lane in self.root.iter(bpmn_tag("lane")):
            level = len(list(lane.iterancestors(bpmn_tag("lane"))))
            for ref in lane.iterchildren(bpmn_tag("flowNodeRef")):
                node_id = (ref.text or "").strip()
                if node_id and level >= depth.get(node_id, -1):
                    index[node_id], depth[node_id] = lane, level
        return index

    def problem(
        self,
        el: etree._Element | None,
        message: str,
        *,
        line: int | None = None,
        rule: str = "",
        severity: Severity = Severity.ERROR,
    ) -> Problem:
        """A problem about ``el``: its own id (or its nearest ancestor's) and its line."""
        element_id = None
        node = el
        while node is not None and element_id is None:
            element_id = node.get("id")
            node = node.getparent()
        if line is None and el is not None:
            line = el.sourceline
        return Problem(message=message, element_id=element_id, line=line, file=self.filename,
                       rule=rule, severity=severity)


def scopes(process: etree._Element) -> Iterator[etree._Element]:
    """The process and every sub-process inside it: each owns its nodes and flows."""
    yield process
    for el in process.iter(*(bpmn_tag(t) for t in SUBPROCESS_TAGS)):
        if el is not process:
            yield el
