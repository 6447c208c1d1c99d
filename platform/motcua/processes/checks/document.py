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


# What each kind of element is called in the modeler (its palette and panel header).
_KINDS = {
    "userTask": "bước", "manualTask": "bước thủ công", "task": "tác vụ chưa định loại",
    "scriptTask": "tác vụ tự động", "serviceTask": "tác vụ dịch vụ",
    "sendTask": "tác vụ gửi thông điệp", "receiveTask": "tác vụ nhận thông điệp",
    "businessRuleTask": "tác vụ quy tắc nghiệp vụ", "callActivity": "bước gọi quy trình con",
    "subProcess": "quy trình con", "transaction": "giao dịch",
    "adHocSubProcess": "quy trình con tùy biến", "startEvent": "sự kiện bắt đầu",
    "endEvent": "sự kiện kết thúc", "intermediateCatchEvent": "sự kiện chờ",
    "intermediateThrowEvent": "sự kiện trung gian", "boundaryEvent": "sự kiện trên viền bước",
    "exclusiveGateway": "cổng rẽ nhánh", "parallelGateway": "cổng song song",
    "inclusiveGateway": "cổng rẽ nhánh nhiều hướng", "eventBasedGateway": "cổng chờ sự kiện",
    "complexGateway": "cổng phức hợp", "sequenceFlow": "luồng", "lane": "làn",
    "process": "quy trình", "participant": "bể", "dataStoreReference": "kho dữ liệu",
    "textAnnotation": "ghi chú", "association": "đường nối ghi chú",
    "dataObjectReference": "đối tượng dữ liệu", "dataObject": "đối tượng dữ liệu",
    "messageFlow": "luồng thông điệp", "definitions": "tệp",
}


def _name(el: etree._Element) -> str:
    return " ".join((el.get("name") or "").split())


def _kind(el: etree._Element) -> str:
    kind = local_name(el) or ""
    has_timer = el.find(bpmn_tag("timerEventDefinition")) is not None
    if kind == "boundaryEvent" and has_timer:
        return "hẹn giờ trên viền bước"
    if kind == "intermediateCatchEvent" and has_timer:
        return "chờ đến hạn"
    if not kind:
        return "hình vẽ"  # diagram interchange: the drawing of an element, not the element
    return _KINDS.get(kind, "phần tử")


def _sibling(el: etree._Element, **attrs: str) -> etree._Element | None:
    """The element of ``el``'s scope with these attribute values (flows and nodes of one
    scope are its children)."""
    scope = el.getparent()
    if scope is None:
        return None
    return next((c for c in scope if all(c.get(k) == v for k, v in attrs.items())), None)


def label(el: etree._Element, depth: int = 0) -> str:
    """How to name an element to a designer: what it is and the name they gave it
    (bước "Thẩm định hồ sơ"), or for an unnamed flow or gateway where it is; never a
    generated id, which they never see (the modeler selects the element on click)."""
    kind, name = _kind(el), _name(el)
    if name:
        return f'{kind} "{name}"'
    local = local_name(el) or ""
    if depth < 2 and local == "sequenceFlow":
        source = _sibling(el, id=el.get("sourceRef") or "")
        target = _sibling(el, id=el.get("targetRef") or "")
        if source is not None and target is not None:
            return f"luồng từ {label(source, depth + 1)} tới {label(target, depth + 1)}"
    if depth < 2 and local.endswith("Gateway"):
        flow = _sibling(el, targetRef=el.get("id") or "")
        source = _sibling(el, id=flow.get("sourceRef") or "") if flow is not None else None
        if source is not None:
            return f"{kind} sau {label(source, depth + 1)}"
    if depth < 2 and local == "boundaryEvent":
        task = _sibling(el, id=el.get("attachedToRef") or "")
        if task is not None:
            return f"{kind.removesuffix(' bước')} {label(task, depth + 1)}"
    if local == "process" and el.get("id"):
        # A process is no shape to click on: among several, only its id tells which.
        return f'{kind} mã "{el.get("id")}"'
    return f"{kind} chưa đặt tên"


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
