"""Small processes for the sample procedure with what generated drafts lack. ``BPMN``: two
parallel branches of different lengths (one at another department's unit, by a task's own
unit), a gateway on the dossier's data, a boundary timer on the step's deadline, and a step
that sends back. ``WAITING``: an embedded sub-process with a manual task, then a timer that
waits for the dossier's deadline."""

from __future__ import annotations

LAND = "000.10.10.H99"  # Phòng Đất đai (generation tests' extra agencies)


def _props(**props: str) -> str:
    items = "".join(f'<spiffworkflow:property name="{k}" value="{v}"/>' for k, v in props.items())
    return f"<bpmn:extensionElements><spiffworkflow:properties>{items}" \
           "</spiffworkflow:properties></bpmn:extensionElements>"


def _lane(lane_id: str, name: str, role: str, unit: str, nodes: list[str]) -> str:
    refs = "".join(f"<bpmn:flowNodeRef>{n}</bpmn:flowNodeRef>" for n in nodes)
    return f'<bpmn:lane id="{lane_id}" name="{name}">{_props(role=role, unit=unit)}{refs}</bpmn:lane>'


def _task(task_id: str, name: str, inc: str, out: str, **props: str) -> str:
    return (f'<bpmn:userTask id="{task_id}" name="{name}">{_props(**props)}'
            f"<bpmn:incoming>{inc}</bpmn:incoming><bpmn:outgoing>{out}</bpmn:outgoing>"
            "</bpmn:userTask>")


def _flow(flow_id: str, source: str, target: str, condition: str | None = None) -> str:
    if condition is None:
        return f'<bpmn:sequenceFlow id="{flow_id}" sourceRef="{source}" targetRef="{target}"/>'
    return (f'<bpmn:sequenceFlow id="{flow_id}" sourceRef="{source}" targetRef="{target}">'
            f"<bpmn:conditionExpression>{condition}</bpmn:conditionExpression>"
            "</bpmn:sequenceFlow>")


DESK_NODES = ["StartEvent_1", "Receive", "GwReceive", "Return", "EndEvent_Done", "EndRefused"]
UNIT_NODES = ["GwMerge", "Split", "Examine", "Consult", "Timer", "Remind", "RemindEnd", "Join", "GwAmount",
              "Review", "GwReview"]
LEADER_NODES = ["Approve"]

BPMN = f"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core"
  id="Defs" targetNamespace="http://motcua.example/test">
<bpmn:process id="Process_Parallel" name="Quy trình song song" isExecutable="true">
<bpmn:laneSet id="LaneSet_1">
{_lane("Lane_Desk", "Bộ phận Một cửa", "receiver", "@desk", DESK_NODES)}
{_lane("Lane_Unit", "Phòng chuyên môn", "specialist", "@handling", UNIT_NODES)}
{_lane("Lane_Leader", "Lãnh đạo Sở", "leader", "@agency", LEADER_NODES)}
</bpmn:laneSet>
<bpmn:startEvent id="StartEvent_1" name="Nộp hồ sơ"><bpmn:outgoing>f_start</bpmn:outgoing></bpmn:startEvent>
{_task("Receive", "Tiếp nhận hồ sơ", "f_start", "f_receive", allotted="4h",
       outcomes="accept=Tiếp nhận;refuse=Từ chối", document="receipt")}
<bpmn:exclusiveGateway id="GwReceive"><bpmn:incoming>f_receive</bpmn:incoming>
  <bpmn:outgoing>f_accept</bpmn:outgoing><bpmn:outgoing>f_refuse</bpmn:outgoing></bpmn:exclusiveGateway>
<bpmn:exclusiveGateway id="GwMerge"><bpmn:incoming>f_accept</bpmn:incoming><bpmn:incoming>f_back</bpmn:incoming>
  <bpmn:outgoing>f_merge</bpmn:outgoing></bpmn:exclusiveGateway>
<bpmn:parallelGateway id="Split"><bpmn:incoming>f_merge</bpmn:incoming>
  <bpmn:outgoing>f_a</bpmn:outgoing><bpmn:outgoing>f_b</bpmn:outgoing></bpmn:parallelGateway>
{_task("Examine", "Thẩm định hồ sơ", "f_a", "f_a2", allotted="3d")}
{_task("Consult", "Lấy ý kiến Phòng Đất đai", "f_b", "f_b2", allotted="1d", unit=LAND)}
<bpmn:boundaryEvent id="Timer" name="Quá hạn lấy ý kiến" cancelActivity="false" attachedToRef="Consult">
  <bpmn:outgoing>f_late</bpmn:outgoing>
  <bpmn:timerEventDefinition id="TimerDef"><bpmn:timeDate>due_step</bpmn:timeDate></bpmn:timerEventDefinition>
</bpmn:boundaryEvent>
{_task("Remind", "Đôn đốc Phòng Đất đai", "f_late", "f_reminded")}
<bpmn:endEvent id="RemindEnd" name="Đã đôn đốc"><bpmn:incoming>f_reminded</bpmn:incoming></bpmn:endEvent>
<bpmn:parallelGateway id="Join"><bpmn:incoming>f_a2</bpmn:incoming><bpmn:incoming>f_b2</bpmn:incoming>
  <bpmn:outgoing>f_join</bpmn:outgoing></bpmn:parallelGateway>
<bpmn:exclusiveGateway id="GwAmount" default="f_small"><bpmn:incoming>f_join</bpmn:incoming>
  <bpmn:outgoing>f_big</bpmn:outgoing><bpmn:outgoing>f_small</bpmn:outgoing></bpmn:exclusiveGateway>
{_task("Review", "Xem xét hồ sơ lớn", "f_big", "f_review", allotted="4h", role="unit_head",
       outcomes="agree:forward=Đồng ý;back=Trả lại thẩm định")}
<bpmn:exclusiveGateway id="GwReview"><bpmn:incoming>f_review</bpmn:incoming>
  <bpmn:outgoing>f_agree</bpmn:outgoing><bpmn:outgoing>f_back</bpmn:outgoing></bpmn:exclusiveGateway>
<bpmn:userTask id="Approve" name="Phê duyệt">{_props(allotted="1d", document="result")}
  <bpmn:incoming>f_small</bpmn:incoming><bpmn:incoming>f_agree</bpmn:incoming>
  <bpmn:outgoing>f_approve</bpmn:outgoing></bpmn:userTask>
{_task("Return", "Trả kết quả", "f_approve", "f_return")}
<bpmn:endEvent id="EndEvent_Done" name="Đã trả kết quả"><bpmn:incoming>f_return</bpmn:incoming></bpmn:endEvent>
<bpmn:endEvent id="EndRefused" name="Từ chối"><bpmn:incoming>f_refuse</bpmn:incoming></bpmn:endEvent>
{_flow("f_start", "StartEvent_1", "Receive")}
{_flow("f_receive", "Receive", "GwReceive")}
{_flow("f_accept", "GwReceive", "GwMerge", 'outcome == "accept"')}
{_flow("f_merge", "GwMerge", "Split")}
{_flow("f_refuse", "GwReceive", "EndRefused", 'outcome == "refuse"')}
{_flow("f_a", "Split", "Examine")}
{_flow("f_b", "Split", "Consult")}
{_flow("f_a2", "Examine", "Join")}
{_flow("f_b2", "Consult", "Join")}
{_flow("f_late", "Timer", "Remind")}
{_flow("f_reminded", "Remind", "RemindEnd")}
{_flow("f_join", "Join", "GwAmount")}
{_flow("f_big", "GwAmount", "Review", "so_tien &gt; 1000")}
{_flow("f_small", "GwAmount", "Approve")}
{_flow("f_review", "Review", "GwReview")}
{_flow("f_agree", "GwReview", "Approve", 'outcome == "agree"')}
{_flow("f_back", "GwReview", "GwMerge", 'outcome == "back"')}
{_flow("f_approve", "Approve", "Return")}
{_flow("f_return", "Return", "EndEvent_Done")}
</bpmn:process>
</bpmn:definitions>"""


WAITING = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" id="Defs_Waiting" targetNamespace="http://motcua.example/test">
<bpmn:process id="Process_Sub" isExecutable="true">
<bpmn:laneSet id="LS"><bpmn:lane id="Lane_Desk" name="Một cửa"><bpmn:extensionElements><spiffworkflow:properties>
<spiffworkflow:property name="role" value="receiver"/><spiffworkflow:property name="unit" value="@desk"/>
</spiffworkflow:properties></bpmn:extensionElements>
<bpmn:flowNodeRef>StartEvent_1</bpmn:flowNodeRef><bpmn:flowNodeRef>Receive</bpmn:flowNodeRef><bpmn:flowNodeRef>Sub</bpmn:flowNodeRef>
<bpmn:flowNodeRef>Wait</bpmn:flowNodeRef><bpmn:flowNodeRef>Return</bpmn:flowNodeRef><bpmn:flowNodeRef>EndEvent_1</bpmn:flowNodeRef>
</bpmn:lane></bpmn:laneSet>
<bpmn:startEvent id="StartEvent_1"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
<bpmn:userTask id="Receive" name="Tiếp nhận"><bpmn:extensionElements><spiffworkflow:properties>
<spiffworkflow:property name="allotted" value="4h"/></spiffworkflow:properties></bpmn:extensionElements>
<bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing></bpmn:userTask>
<bpmn:subProcess id="Sub" name="Xử lý"><bpmn:incoming>f2</bpmn:incoming><bpmn:outgoing>f3</bpmn:outgoing>
  <bpmn:startEvent id="SubStart"><bpmn:outgoing>s1</bpmn:outgoing></bpmn:startEvent>
  <bpmn:manualTask id="Inner" name="Xử lý bên trong"><bpmn:extensionElements><spiffworkflow:properties>
  <spiffworkflow:property name="role" value="specialist"/><spiffworkflow:property name="unit" value="@handling"/>
  <spiffworkflow:property name="allotted" value="1d"/></spiffworkflow:properties></bpmn:extensionElements>
  <bpmn:incoming>s1</bpmn:incoming><bpmn:outgoing>s2</bpmn:outgoing></bpmn:manualTask>
  <bpmn:endEvent id="SubEnd"><bpmn:incoming>s2</bpmn:incoming></bpmn:endEvent>
  <bpmn:sequenceFlow id="s1" sourceRef="SubStart" targetRef="Inner"/>
  <bpmn:sequenceFlow id="s2" sourceRef="Inner" targetRef="SubEnd"/>
</bpmn:subProcess>
<bpmn:intermediateCatchEvent id="Wait" name="Chờ đến hạn trả"><bpmn:incoming>f3</bpmn:incoming><bpmn:outgoing>f4</bpmn:outgoing>
<bpmn:timerEventDefinition id="TD"><bpmn:timeDate>due_dossier</bpmn:timeDate></bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>
<bpmn:userTask id="Return" name="Trả kết quả"><bpmn:incoming>f4</bpmn:incoming><bpmn:outgoing>f5</bpmn:outgoing></bpmn:userTask>
<bpmn:endEvent id="EndEvent_1"><bpmn:incoming>f5</bpmn:incoming></bpmn:endEvent>
<bpmn:sequenceFlow id="f1" sourceRef="StartEvent_1" targetRef="Receive"/>
<bpmn:sequenceFlow id="f2" sourceRef="Receive" targetRef="Sub"/>
<bpmn:sequenceFlow id="f3" sourceRef="Sub" targetRef="Wait"/>
<bpmn:sequenceFlow id="f4" sourceRef="Wait" targetRef="Return"/>
<bpmn:sequenceFlow id="f5" sourceRef="Return" targetRef="EndEvent_1"/>
</bpmn:process></bpmn:definitions>"""
