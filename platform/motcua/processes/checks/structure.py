"""Which process runs, which ids are taken, and what the platform cannot execute."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from lxml import etree

from motcua.processes.checks.document import Document, bpmn_tag, label, local_name
from motcua.processes.checks.problems import Problem
from motcua.processes.checks.words import capital
from motcua.processes.checks.xml_safety import XmlRejected, parse_xml

# SpiffWorkflow names its own task specs like this inside every process spec; an element
# with one of these ids would silently replace the engine's task.
_RESERVED_IDS = frozenset({"Start", "End", "Root", "StartEventSplit", "StartEventJoin"})
_RESERVED_SUFFIXES = (".EndJoin", ".BoundaryEventSplit", ".BoundaryEventJoin")

# What to do instead, after the element's own description (document.label names its kind).
_STEP = '"Đổi loại phần tử" thành "Bước xử lý (cán bộ)"'
_UNSUPPORTED_NODES = {
    "task": f"chưa định loại nên khi chạy bị bỏ qua: {_STEP} hoặc xóa.",
    "serviceTask": "gọi dịch vụ ngoài, nền tảng chưa làm được việc này: "
    f"{_STEP} để cán bộ thực hiện (trong tệp: serviceTask).",
    "sendTask": "gửi thông điệp BPMN, nền tảng không trao đổi thông điệp: "
    f"{_STEP} (cán bộ gửi văn bản; trong tệp: sendTask).",
    "receiveTask": "chờ thông điệp BPMN, nền tảng không trao đổi thông điệp: "
    f"{_STEP} (cán bộ nhận văn bản; trong tệp: receiveTask).",
    "businessRuleTask": "dùng bảng quyết định (DMN), chưa được hỗ trợ: dùng cổng rẽ nhánh "
    "với điều kiện trên các luồng ra (trong tệp: businessRuleTask).",
    "complexGateway": 'không được hỗ trợ: "Đổi loại phần tử" thành "Cổng rẽ nhánh" hoặc '
    '"Cổng song song" (trong tệp: complexGateway).',
    "transaction": "không được hỗ trợ: dùng quy trình con thường (trong tệp: transaction).",
    "adHocSubProcess": "không được hỗ trợ: dùng quy trình con thường với các luồng tuần tự "
    "(trong tệp: adHocSubProcess).",
    "dataStoreReference": "không được hỗ trợ: xóa phần tử này, dữ liệu hồ sơ được lưu tự động "
    "(trong tệp: dataStoreReference).",
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
                    f'{capital(label(el))} có mã (id) "{ident}" trùng với tên nội bộ của bộ '
                    f'máy quy trình (SpiffWorkflow): đổi "Mã (id)" (ví dụ "{ident}_1").',
                )
                for el in elements
                if local_name(el) is not None
            )
        first = elements[0]
        problems.extend(
            doc.problem(
                el,
                f'Mã (id) "{ident}" của {label(el)} bị trùng với {label(first)} (dòng '
                f'{first.sourceline}): mỗi phần tử phải có mã riêng; đổi "Mã (id)" của một '
                "trong hai phần tử.",
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
                    "Tệp không có quy trình nào: vẽ quy trình với các làn cho từng bộ phận "
                    "rồi lưu lại (trong tệp: bpmn:process).",
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
                    f'{capital(label(process))} được đánh dấu không thực thi: chọn "Thực thi" '
                    'cho quy trình để nền tảng chạy được (trong tệp: isExecutable="true").',
                )
            ],
        )
    if not candidates:
        problem = doc.problem(
            doc.root,
            'Không có quy trình nào được đánh dấu thực thi trong tệp: chọn "Thực thi" cho đúng '
            'một quy trình, quy trình của thủ tục (trong tệp: isExecutable="true").',
        )
        return Selection(None, list(processes), [problem])
    ids = ", ".join(label(p) for p in candidates)
    problem = doc.problem(
        candidates[1],
        f'Tệp có nhiều quy trình có thể thực thi ({ids}): chỉ để "Thực thi" cho quy trình của '
        'thủ tục, bỏ chọn ở các quy trình còn lại (trong tệp: isExecutable="true"/"false").',
    )
    return Selection(None, candidates, [problem])


def check_start_events(doc: Document, process: etree._Element) -> list[Problem]:
    starts = [el for el in process if local_name(el) == "startEvent"]
    if not starts:
        return [
            doc.problem(
                process,
                f"{capital(label(process))} không có sự kiện bắt đầu: thêm một sự kiện bắt đầu "
                "nối tới bước đầu tiên.",
            )
        ]
    return [
        doc.problem(
            el,
            f"{capital(label(process))} có {len(starts)} sự kiện bắt đầu: chỉ dùng một (hồ sơ "
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
                    f"{capital(label(el))} ở dòng {el.sourceline} thiếu mã (id): đặt \"Mã (id)\" "
                    f'(ví dụ "{name[0].upper()}{name[1:]}_1"); trình thiết kế tự đặt khi lưu.',
                )
            )
        if name in _UNSUPPORTED_NODES:
            problems.append(doc.problem(el, f"{capital(label(el))} {_UNSUPPORTED_NODES[name]}"))
        elif name in _UNSUPPORTED_EVENTS:
            event = el.getparent()
            assert event is not None
            problems.append(
                doc.problem(
                    event,
                    f"{capital(label(event))} dùng loại {_UNSUPPORTED_EVENTS[name]}: nền tảng "
                    "không hỗ trợ. Chỉ dùng hẹn giờ, sự kiện thường hoặc \"Kết thúc dừng hẳn\"; "
                    "xóa sự kiện hoặc thay bằng cổng rẽ nhánh.",
                )
            )
        elif name in _LOOPS:
            activity = el.getparent()
            assert activity is not None
            problems.append(
                doc.problem(
                    activity,
                    f"{capital(label(activity))} được đặt lặp lại hoặc chạy nhiều lần cùng lúc "
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
                        f"{capital(label(activity))} chưa ghi quy trình con cần gọi: ghi mã (id) "
                        "của quy trình con (trong tệp: calledElement).",
                    )
                )
                continue
            targets = [(doc, p)] if (p := doc.process(called)) is not None else []
            if not targets and doc is not main and (p := main.process(called)) is not None:
                targets = [(main, p)]
            targets = targets or library.find(called)
            shared = doc.find(called) if not targets else None
            kind = local_name(shared) if shared is not None else None
            if kind is not None and kind.startswith("global"):
                # BPMN's reusable tasks (globalUserTask...): a call the engine cannot make.
                calls.problems.append(
                    doc.problem(
                        activity,
                        f'{capital(label(activity))} gọi tác vụ dùng chung "{called}" (trong tệp: '
                        f"{kind}): nền tảng chỉ gọi được quy trình con. \"Đổi loại phần tử\" "
                        'thành "Bước xử lý (cán bộ)".',
                    )
                )
                continue
            if not targets:
                calls.problems.append(
                    doc.problem(
                        activity,
                        f'{capital(label(activity))} gọi quy trình "{called}" nhưng không có '
                        "quy trình nào mang mã này trong tệp hay trong thư viện quy trình con: "
                        "sửa mã quy trình cần gọi hoặc tải quy trình con lên trước (trong tệp: "
                        "calledElement).",
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
                        f"thư viện ({files}): đổi mã (id) để mỗi quy trình con là duy nhất.",
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
                        f"{capital(label(target))} (được {label(activity)} gọi) đánh dấu không "
                        'thực thi: chọn "Thực thi" cho nó (trong tệp: isExecutable="true").',
                    )
                )
            calls.processes.append((target_doc, target))
            queue.append((target_doc, target))
    return calls
