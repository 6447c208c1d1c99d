"""The blank process a new draft starts from: a pool named after the procedure, one lane for
the one-stop desk, a start and an end event. It does not check clean (no step yet): the
designer adds the steps."""

from __future__ import annotations

import re
from xml.sax.saxutils import quoteattr

from motcua.catalog.models import Procedure


def process_id(procedure: Procedure) -> str:
    # An NCName from the code: "1.001806" -> "Process_1_001806".
    return "Process_" + re.sub(r"[^A-Za-z0-9_]", "_", procedure.code)


def blank_bpmn(procedure: Procedure) -> str:
    pid = process_id(procedure)
    name = quoteattr(procedure.name)
    agency = quoteattr(procedure.agency.name if procedure.agency else procedure.name)
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" \
xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" \
xmlns:dc="http://www.omg.org/spec/DD/20100524/DC" \
xmlns:di="http://www.omg.org/spec/DD/20100524/DI" \
xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" \
id="Definitions_{pid}" targetNamespace="http://bpmn.io/schema/bpmn">
  <bpmn:collaboration id="Collaboration_{pid}">
    <bpmn:participant id="Participant_{pid}" name={agency} processRef="{pid}"/>
  </bpmn:collaboration>
  <bpmn:process id="{pid}" name={name} isExecutable="true">
    <bpmn:laneSet id="LaneSet_1">
      <bpmn:lane id="Lane_Desk" name="Bộ phận Một cửa">
        <bpmn:extensionElements>
          <spiffworkflow:properties>
            <spiffworkflow:property name="role" value="receiver"/>
            <spiffworkflow:property name="unit" value="@desk"/>
          </spiffworkflow:properties>
        </bpmn:extensionElements>
        <bpmn:flowNodeRef>StartEvent_1</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>EndEvent_1</bpmn:flowNodeRef>
      </bpmn:lane>
    </bpmn:laneSet>
    <bpmn:startEvent id="StartEvent_1" name="Nộp hồ sơ"/>
    <bpmn:endEvent id="EndEvent_1" name="Kết thúc"/>
  </bpmn:process>
  <bpmndi:BPMNDiagram id="BPMNDiagram_1">
    <bpmndi:BPMNPlane id="BPMNPlane_1" bpmnElement="Collaboration_{pid}">
      <bpmndi:BPMNShape id="Participant_{pid}_di" bpmnElement="Participant_{pid}" \
isHorizontal="true">
        <dc:Bounds x="120" y="80" width="900" height="200"/>
      </bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="Lane_Desk_di" bpmnElement="Lane_Desk" isHorizontal="true">
        <dc:Bounds x="150" y="80" width="870" height="200"/>
      </bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="StartEvent_1_di" bpmnElement="StartEvent_1">
        <dc:Bounds x="212" y="162" width="36" height="36"/>
      </bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="EndEvent_1_di" bpmnElement="EndEvent_1">
        <dc:Bounds x="912" y="162" width="36" height="36"/>
      </bpmndi:BPMNShape>
    </bpmndi:BPMNPlane>
  </bpmndi:BPMNDiagram>
</bpmn:definitions>
"""
