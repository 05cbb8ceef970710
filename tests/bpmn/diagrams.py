"""Small BPMN documents built in tests, each with one element under test between a start and an end."""

from __future__ import annotations

HEAD = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" id="defs" targetNamespace="http://t">
{extra}
  <bpmn:process id="{pid}" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f_in" sourceRef="start" targetRef="{first}" />
{body}
    <bpmn:sequenceFlow id="f_out" sourceRef="{last}" targetRef="end" />
    <bpmn:endEvent id="end" />
  </bpmn:process>
</bpmn:definitions>
"""


def wrap(body: str, first: str = "el", last: str = "el", pid: str = "tiny", extra: str = "") -> str:
    """A process start → ``body`` → end, where ``body`` starts at ``first`` and ends at ``last``."""
    return HEAD.format(body=body, first=first, last=last, pid=pid, extra=extra)


def script_task(script: str, element_id: str = "el") -> str:
    """A diagram whose only task is a script task running ``script``."""
    return wrap(f'<bpmn:scriptTask id="{element_id}"><bpmn:script>{_xml(script)}</bpmn:script></bpmn:scriptTask>',
                first=element_id, last=element_id)


def user_task(element_id: str = "el", prescript: str | None = None, postscript: str | None = None) -> str:
    """A diagram whose only task is a user task, optionally with spiffworkflow pre/post-scripts."""
    ext = ""
    if prescript or postscript:
        parts = "".join(
            f"<spiffworkflow:{tag}>{_xml(src)}</spiffworkflow:{tag}>"
            for tag, src in (("preScript", prescript), ("postScript", postscript)) if src
        )
        ext = f"<bpmn:extensionElements>{parts}</bpmn:extensionElements>"
    return wrap(f'<bpmn:userTask id="{element_id}">{ext}</bpmn:userTask>', first=element_id, last=element_id)


def gateway(condition: str) -> str:
    """A diagram with an exclusive gateway whose first flow carries ``condition``."""
    body = f"""
    <bpmn:exclusiveGateway id="gw" default="f_b" />
    <bpmn:sequenceFlow id="f_a" sourceRef="gw" targetRef="a">
      <bpmn:conditionExpression>{_xml(condition)}</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="f_b" sourceRef="gw" targetRef="b" />
    <bpmn:task id="a" /><bpmn:task id="b" />
    <bpmn:sequenceFlow id="f_a2" sourceRef="a" targetRef="join" />
    <bpmn:sequenceFlow id="f_b2" sourceRef="b" targetRef="join" />
    <bpmn:exclusiveGateway id="join" />"""
    return wrap(body, first="gw", last="join")


def timer(expression: str, kind: str = "timeDate") -> str:
    """A diagram waiting on an intermediate timer with ``expression``."""
    body = (f'<bpmn:intermediateCatchEvent id="wait"><bpmn:timerEventDefinition id="t">'
            f"<bpmn:{kind}>{_xml(expression)}</bpmn:{kind}></bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>")
    return wrap(body, first="wait", last="wait")


def multi_instance(cardinality: str) -> str:
    """A diagram with a parallel multi-instance user task of ``cardinality`` instances."""
    body = (f'<bpmn:userTask id="review"><bpmn:multiInstanceLoopCharacteristics>'
            f"<bpmn:loopCardinality>{_xml(cardinality)}</bpmn:loopCardinality>"
            f"</bpmn:multiInstanceLoopCharacteristics></bpmn:userTask>")
    return wrap(body, first="review", last="review")


def message_catch(correlation_key: str) -> str:
    """A diagram waiting on message ``ping`` whose correlation key is ``correlation_key``."""
    body = f"""
    <bpmn:intermediateCatchEvent id="wait_ping">
      <bpmn:extensionElements><spiffworkflow:properties>
        <spiffworkflow:property name="correlationKey" value="{_xml(correlation_key)}" />
      </spiffworkflow:properties></bpmn:extensionElements>
      <bpmn:messageEventDefinition id="ping_def" messageRef="ping" />
    </bpmn:intermediateCatchEvent>"""
    return wrap(body, first="wait_ping", last="wait_ping", extra='<bpmn:message id="ping" name="ping" />')


def _xml(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


OPEN_FORM = {"open.schema.json": {"type": "object"}}


def laned_user_task(lane: str = "hospital_officer", element_id: str = "fill", form: str = "open.schema.json") -> str:
    """A diagram whose only task is a user task in ``lane`` naming ``form``."""
    body = f"""
    <bpmn:userTask id="{element_id}" name="Fill in">
      <bpmn:extensionElements><spiffworkflow:properties>
        <spiffworkflow:property name="formJsonSchemaFilename" value="{form}" />
      </spiffworkflow:properties></bpmn:extensionElements>
    </bpmn:userTask>"""
    lanes = f"""<bpmn:laneSet id="ls"><bpmn:lane id="l1" name="{lane}">
      <bpmn:flowNodeRef>{element_id}</bpmn:flowNodeRef></bpmn:lane></bpmn:laneSet>"""
    return wrap(lanes + body, first=element_id, last=element_id)


def user_task_beside_script(script: str) -> str:
    """A parallel split: a hospital officer's user task on one branch, a script on the other, joined after."""
    body = f"""
    <bpmn:laneSet id="ls"><bpmn:lane id="l1" name="hospital_officer"><bpmn:flowNodeRef>fill</bpmn:flowNodeRef>
    </bpmn:lane></bpmn:laneSet>
    <bpmn:parallelGateway id="split" />
    <bpmn:sequenceFlow id="s1" sourceRef="split" targetRef="fill" />
    <bpmn:sequenceFlow id="s2" sourceRef="split" targetRef="calc" />
    <bpmn:userTask id="fill" name="Fill in">
      <bpmn:extensionElements><spiffworkflow:properties>
        <spiffworkflow:property name="formJsonSchemaFilename" value="open.schema.json" />
      </spiffworkflow:properties></bpmn:extensionElements>
    </bpmn:userTask>
    <bpmn:scriptTask id="calc"><bpmn:script>{_xml(script)}</bpmn:script></bpmn:scriptTask>
    <bpmn:sequenceFlow id="j1" sourceRef="fill" targetRef="join" />
    <bpmn:sequenceFlow id="j2" sourceRef="calc" targetRef="join" />
    <bpmn:parallelGateway id="join" />"""
    return wrap(body, first="split", last="join")
