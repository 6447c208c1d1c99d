"""Which process runs, which ids are taken, and what the platform cannot execute."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from lxml import etree

from motcua.processes.checks.document import Document, bpmn_tag, label, local_name
from motcua.processes.checks.problems import Problem
from motcua.processes.checks.xml_safety import XmlRejected, parse_xml

# SpiffWorkflow names its own task specs like this inside every process spec; an element
# with one of these ids would silently replace the engine's task.
_RESERVED_IDS = frozenset({"Start", "End", "Root", "StartEventSplit", "StartEventJoin"})
_RESERVED_SUFFIXES = (".EndJoin", ".BoundaryEventSplit", ".BoundaryEventJoin")

_UNSUPPORTED_NODES = {
    "task": "là tác vụ chưa định loại: khi chạy nó bị bỏ qua. Đổi thành userTask (bước do "
    "cán bộ xử lý) hoặc xóa.",
    "serviceTask": "là tác vụ dịch vụ (serviceTask): nền tảng chưa gọi dịch vụ ngoài. Thay "
    "bằng userTask để cán bộ thực hiện, hoặc scriptTask nếu chỉ tính trên dữ liệu hồ sơ.",
    "sendTask": "là tác vụ gửi thông điệp (sendTask): nền tảng không trao đổi thông điệp BPMN. "
    "Thay bằng userTask (cán bộ gửi văn bản).",
    "receiveTask": "là tác vụ nhận thông điệp (receiveTask): nền tảng không trao đổi thông "
    "điệp BPMN. Thay bằng userTask (cán bộ nhận văn bản).",
    "businessRuleTask": "là tác vụ quy tắc nghiệp vụ (businessRuleTask, DMN): chưa được hỗ "
    "trợ. Dùng cổng rẽ nhánh (exclusiveGateway) với điều kiện.",
    "complexGateway": "là cổng phức hợp (complexGateway): không được hỗ trợ. Dùng "
    "exclusiveGateway, inclusiveGateway hoặc parallelGateway.",
    "transaction": "là giao dịch BPMN (transaction): không được hỗ trợ. Dùng subProcess thường.",
    "adHocSubProcess": "là quy trình con tùy biến (adHocSubProcess): không được hỗ trợ. Dùng "
    "subProcess thường với các luồng tuần tự.",
    "dataStoreReference": "là kho dữ liệu (dataStoreReference): không được hỗ trợ. Xóa phần "
    "tử này; dữ liệu hồ sơ được lưu tự động.",
}

_UNSUPPORTED_EVENTS = {
    "messageEventDefinition": "thông điệp (message)",
    "signalEventDefinition": "tín hiệu (signal)",
    "escalationEventDefinition": "leo thang (escalation)",
    "errorEventDefinition": "lỗi (error)",
    "conditionalEventDefinition": "điều kiện (conditional)",
    "compensateEventDefinition": "bù trừ (compensation)",
    "linkEventDefinition": "liên kết (link)",
    "cancelEventDefinition": "hủy (cancel)",
    "eventDefinitionRef": "tham chiếu định nghĩa sự kiện (eventDefinitionRef)",
}

_LOOPS = ("standardLoopCharacteristics", "multiInstanceLoopCharacteristics")

# Elements the engine addresses by id: the schema lets ids be omitted, the engine cannot.
_NEED_ID = frozenset(
    {
        "process",
        "lane",
        "sequenceFlow",
        "startEvent",
        "endEvent",
        "intermediateCatchEvent",
        "intermediateThrowEvent",
        "boundaryEvent",
        "userTask",
        "manualTask",
        "scriptTask",
        "callActivity",
        "subProcess",
        "exclusiveGateway",
        "inclusiveGateway",
        "parallelGateway",
        "eventBasedGateway",
    }
)


def _spiff_executable(process: etree._Element) -> bool:
    # SpiffWorkflow's own rule: absent means executable.
    return process.get("isExecutable", "true") == "true"


def check_ids(doc: Document) -> list[Problem]:
    problems: list[Problem] = []
    for ident, elements in doc.ids.items():
        if ident in _RESERVED_IDS or ident.endswith(_RESERVED_SUFFIXES):
            # Only model elements become task specs; a diagram shape may be called anything.
            problems.extend(
                doc.problem(
                    el,
                    f'Id "{ident}" trùng với tên nội bộ của bộ máy quy trình (SpiffWorkflow): '
                    f'đổi id (ví dụ "{ident}_1").',
                )
                for el in elements
                if local_name(el) is not None
            )
        first = elements[0]
        problems.extend(
            doc.problem(
                el,
                f'Id "{ident}" bị trùng (đã dùng ở dòng {first.sourceline}): mỗi phần tử phải có '
                "id riêng; đổi id của một trong hai phần tử.",
            )
            for el in elements[1:]
        )
    return problems


@dataclass
class Selection:
    process: etree._Element | None
    # Processes whose content is checked: the chosen one, or every candidate when the
    # choice is ambiguous, so the designer sees all findings at once.
    checked: list[etree._Element] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def select_process(doc: Document) -> Selection:
    processes = doc.processes
    if not processes:
        return Selection(
            None,
            problems=[
                doc.problem(
                    doc.root,
                    "Tệp không có quy trình (bpmn:process) nào: vẽ quy trình với các làn "
                    "(lane) cho từng bộ phận rồi lưu lại.",
                )
            ],
        )
    called = {
        (ca.get("calledElement") or "").strip()
        for p in processes
        for ca in p.iter(bpmn_tag("callActivity"))
    }
    candidates = [p for p in processes if _spiff_executable(p) and p.get("id") not in called]
    if len(candidates) > 1:
        explicit = [p for p in candidates if p.get("isExecutable") == "true"]
        if len(explicit) == 1:
            candidates = explicit
    if len(candidates) == 1:
        return Selection(candidates[0], [candidates[0]])
    if not candidates and len(processes) == 1:
        process = processes[0]
        return Selection(
            process,
            [process],
            [
                doc.problem(
                    process,
                    f"Quy trình {label(process)} được đánh dấu không thực thi "
                    '(isExecutable="false"): đặt isExecutable="true" để nền tảng chạy được.',
                )
            ],
        )
    if not candidates:
        problem = doc.problem(
            doc.root,
            "Không có quy trình nào được đánh dấu thực thi trong tệp: đặt "
            'isExecutable="true" cho đúng một quy trình (quy trình của thủ tục).',
        )
        return Selection(None, list(processes), [problem])
    ids = ", ".join(label(p) for p in candidates)
    problem = doc.problem(
        candidates[1],
        f'Tệp có nhiều quy trình có thể thực thi ({ids}): chỉ để isExecutable="true" cho '
        'quy trình của thủ tục, đặt isExecutable="false" cho các quy trình còn lại.',
    )
    return Selection(None, candidates, [problem])


def check_start_events(doc: Document, process: etree._Element) -> list[Problem]:
    starts = [el for el in process if local_name(el) == "startEvent"]
    if not starts:
        return [
            doc.problem(
                process,
                f"Quy trình {label(process)} không có sự kiện bắt đầu (startEvent): thêm một "
                "sự kiện bắt đầu nối tới bước đầu tiên.",
            )
        ]
    return [
        doc.problem(
            el,
            f"Quy trình {label(process)} có {len(starts)} sự kiện bắt đầu: chỉ dùng một (hồ sơ "
            "bắt đầu khi được nộp); xóa sự kiện bắt đầu thừa.",
        )
        for el in starts[1:]
    ]


def check_supported(doc: Document, process: etree._Element) -> list[Problem]:
    """Every element of ``process`` (sub-processes included) the platform cannot run."""
    problems = []
    for el in process.iter(etree.Element):
        name = local_name(el)
        if name in _NEED_ID and not (el.get("id") or "").strip():
            problems.append(
                doc.problem(
                    el,
                    f"Phần tử bpmn:{name} ở dòng {el.sourceline} thiếu id: đặt id (ví dụ "
                    f'"{name[0].upper()}{name[1:]}_1"), trình thiết kế BPMN tự đặt khi lưu.',
                )
            )
        if name in _UNSUPPORTED_NODES:
            problems.append(doc.problem(el, f"Phần tử {label(el)} {_UNSUPPORTED_NODES[name]}"))
        elif name in _UNSUPPORTED_EVENTS:
            event = el.getparent()
            assert event is not None
            problems.append(
                doc.problem(
                    event,
                    f"Sự kiện {label(event)} dùng loại {_UNSUPPORTED_EVENTS[name]}: nền tảng "
                    "không hỗ trợ. Chỉ dùng sự kiện hẹn giờ (timeDate), sự kiện không loại "
                    "hoặc kết thúc dừng hẳn (terminate); xóa hoặc thay bằng cổng rẽ nhánh.",
                )
            )
        elif name in _LOOPS:
            activity = el.getparent()
            assert activity is not None
            problems.append(
                doc.problem(
                    activity,
                    f"Phần tử {label(activity)} có đặc tính lặp hoặc đa thể hiện "
                    "(multi-instance): chưa được hỗ trợ. Bỏ đặc tính này; muốn làm lại một "
                    "bước thì vẽ luồng quay lại qua cổng rẽ nhánh.",
                )
            )
    return problems


class Library:
    """Other BPMN files that call activities may reach; parsed only when needed."""

    def __init__(self, items: Sequence[tuple[str, bytes]], main_filename: str) -> None:
        self._items = [(name, data) for name, data in items if name != main_filename]
        self._docs: list[Document] | None = None
        self.problems: list[Problem] = []

    @property
    def docs(self) -> list[Document]:
        if self._docs is None:
            self._docs = []
            for name, data in self._items:
                try:
                    self._docs.append(Document(parse_xml(data, name), name))
                except XmlRejected as exc:
                    self.problems.append(exc.problem)
        return self._docs

    def find(self, process_id: str) -> list[tuple[Document, etree._Element]]:
        return [(d, p) for d in self.docs if (p := d.process(process_id)) is not None]


@dataclass
class Calls:
    # Called processes reached from the checked ones, transitively, with their documents.
    processes: list[tuple[Document, etree._Element]] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def library_docs(self) -> list[Document]:
        docs: dict[int, Document] = {}
        for doc, _ in self.processes:
            docs.setdefault(id(doc), doc)
        return list(docs.values())


def resolve_calls(main: Document, roots: Sequence[etree._Element], library: Library) -> Calls:
    calls = Calls()
    seen = {id(p) for p in roots}
    queue: list[tuple[Document, etree._Element]] = [(main, p) for p in roots]
    library_reported = False
    while queue:
        doc, process = queue.pop(0)
        for activity in process.iter(bpmn_tag("callActivity")):
            called = (activity.get("calledElement") or "").strip()
            if not called:
                calls.problems.append(
                    doc.problem(
                        activity,
                        f"Hoạt động gọi {label(activity)} thiếu calledElement: ghi id của quy "
                        "trình con cần gọi.",
                    )
                )
                continue
            targets = [(doc, p)] if (p := doc.process(called)) is not None else []
            if not targets and doc is not main and (p := main.process(called)) is not None:
                targets = [(main, p)]
            targets = targets or library.find(called)
            if not targets:
                calls.problems.append(
                    doc.problem(
                        activity,
                        f'Hoạt động gọi {label(activity)} gọi quy trình "{called}" nhưng '
                        "không có quy trình nào mang id này trong tệp hay trong thư viện quy "
                        "trình con: sửa calledElement hoặc tải quy trình con lên trước.",
                    )
                )
                if not library_reported:
                    calls.problems.extend(library.problems)
                    library_reported = True
                continue
            if len(targets) > 1:
                files = ", ".join(d.filename for d, _ in targets)
                calls.problems.append(
                    doc.problem(
                        activity,
                        f'Quy trình "{called}" mà {label(activity)} gọi có trong nhiều tệp của '
                        f"thư viện ({files}): đổi id để mỗi quy trình con là duy nhất.",
                    )
                )
                continue
            target_doc, target = targets[0]
            if id(target) in seen:
                continue
            seen.add(id(target))
            if not _spiff_executable(target):
                calls.problems.append(
                    target_doc.problem(
                        target,
                        f"Quy trình con {label(target)} (được {label(activity)} gọi) đánh dấu "
                        'isExecutable="false": đặt isExecutable="true".',
                    )
                )
            calls.processes.append((target_doc, target))
            queue.append((target_doc, target))
    return calls
