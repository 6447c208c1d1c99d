"""The files of "any BPMN opens" and what of another tool's a file holds: the elements and
attributes in namespaces that are neither BPMN's, its diagram's nor our dialect's (and
SpiffWorkflow's extensions other than our properties), each
with the BPMN element it belongs to, so a file saved by the modeler can be compared with
the one it came from whatever prefixes either uses."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from lxml import etree

HERE = Path(__file__).resolve().parent
MIWG_FILES = sorted((HERE / "files").glob("*.bpmn"))
VENDOR_FILES = sorted((HERE / "vendor").glob("*.bpmn"))

SPIFF = "http://spiffworkflow.org/bpmn/schema/1.0/core"
OURS = frozenset({
    "http://www.omg.org/spec/BPMN/20100524/MODEL",
    "http://www.omg.org/spec/BPMN/20100524/DI",
    "http://www.omg.org/spec/DD/20100524/DC",
    "http://www.omg.org/spec/DD/20100524/DI",
    SPIFF,
    # xsi:type and xsi:schemaLocation are XML Schema's, written by every tool its own way.
    "http://www.w3.org/2001/XMLSchema-instance",
    "http://www.w3.org/XML/1998/namespace",
})

Item = tuple[str, str, str]


def _owner(el: etree._Element) -> str:
    """The id of the nearest element of ours holding ``el`` (vendor ids mean anything)."""
    node: etree._Element | None = el
    while node is not None:
        if etree.QName(node).namespace in OURS and node.get("id"):
            return node.get("id") or ""
        node = node.getparent()
    return ""


def _canonical(el: etree._Element) -> str:
    """A vendor element with its attributes and content, prefixes and layout aside."""
    attrs = ",".join(f"{_text(k)}={_text(v)}" for k, v in sorted(el.attrib.items()))
    children = "".join(_canonical(c) for c in el if isinstance(c.tag, str))
    text = (el.text or "").strip()
    return f"<{etree.QName(el).text} {attrs}>{text}{children}</>"


def _text(value: str | bytes) -> str:
    return value.decode() if isinstance(value, bytes) else value


def vendor_content(xml: str | bytes) -> Counter[Item]:
    """(owner id, what, canonical form) of every top vendor element and every vendor
    attribute on an element of ours, counted."""
    data = xml.encode("utf-8") if isinstance(xml, str) else xml
    root = etree.fromstring(data, etree.XMLParser(resolve_entities=False, no_network=True,
                                                  huge_tree=True))
    found: Counter[Item] = Counter()
    for el in root.iter(etree.Element):
        namespace = etree.QName(el).namespace
        # Of SpiffWorkflow's own extensions only our properties are ours to rewrite
        # (SpiffArena's instructions, scripts, operators are kept like another tool's).
        if namespace not in OURS or (namespace == SPIFF and etree.QName(el).localname
                                     not in ("properties", "property")):
            parent = el.getparent()
            if parent is None or etree.QName(parent).namespace in OURS:
                found[(_owner(el), "element", _canonical(el))] += 1
            continue
        for name, value in el.attrib.items():
            if name.startswith("{") and etree.QName(name).namespace not in OURS:
                found[(_owner(el), "attribute", f"{_text(name)}={_text(value)}")] += 1
    return found
