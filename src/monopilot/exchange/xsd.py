"""XSDs generated from the layouts (so CSV, JSON, XML and the schema cannot drift apart).

`schema_text(layout)` is what /api/v1/exports/schemas/{entity}.xsd and
`monopilot export schema ENTITY` publish; `validate_file()` checks an XML export against it
while streaming (lxml iterparse with the schema), so memory stays flat.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from lxml import etree

from monopilot.exchange.layouts import NAMESPACE, SCHEMA_VERSION, XSD_TYPES, Field, Layout

XS = "http://www.w3.org/2001/XMLSchema"


def _xs(parent: etree._Element, tag: str, **attrs: str) -> etree._Element:
    return etree.SubElement(parent, f"{{{XS}}}{tag}", {k.rstrip("_"): v for k, v in attrs.items()})


def _sequence_type(parent: etree._Element) -> etree._Element:
    return _xs(_xs(parent, "complexType"), "sequence")


def _field(seq: etree._Element, f: Field) -> None:
    occurs = "1" if f.required else "0"
    if f.kind == "list":
        el = _xs(seq, "element", name=f.element, minOccurs=occurs)
        _xs(
            _sequence_type(el),
            "element",
            name=f.item,
            type="xs:string",
            minOccurs="0",
            maxOccurs="unbounded",
        )
        return
    _xs(seq, "element", name=f.element, type=XSD_TYPES[f.kind], minOccurs=occurs)


def _metadata(root: etree._Element) -> None:
    ctype = _xs(root, "complexType", name="ExportMetadataType")
    seq = _xs(ctype, "sequence")
    _xs(seq, "element", name="ExportDate", type="xs:dateTime")
    _xs(seq, "element", name="OrganizationID", type="xs:string")
    _xs(seq, "element", name="OrganizationName", type="xs:string")
    _xs(seq, "element", name="EntityType", type="xs:string")
    _xs(seq, "element", name="RecordCount", type="xs:nonNegativeInteger")
    filters = _xs(seq, "element", name="Filters", minOccurs="0")
    item = _xs(
        _sequence_type(filters), "element", name="Filter", minOccurs="0", maxOccurs="unbounded"
    )
    ext = _xs(_xs(_xs(item, "complexType"), "simpleContent"), "extension", base="xs:string")
    _xs(ext, "attribute", name="name", type="xs:string", use="required")


def build(layout: Layout) -> etree._Element:
    root = etree.Element(
        f"{{{XS}}}schema",
        {"targetNamespace": NAMESPACE, "elementFormDefault": "qualified", "version": "1"},
        nsmap={"xs": XS, None: NAMESPACE},
    )
    top = _xs(root, "element", name="MonoPilot")
    top_type = _xs(top, "complexType")
    seq = _xs(top_type, "sequence")
    _xs(seq, "element", name="ExportMetadata", type="ExportMetadataType")
    collection = _xs(seq, "element", name=layout.collection)
    _xs(
        _sequence_type(collection),
        "element",
        name=layout.record,
        type=f"{layout.record}Type",
        minOccurs="0",
        maxOccurs="unbounded",
    )
    _xs(
        top_type,
        "attribute",
        name="version",
        type="xs:string",
        use="required",
        fixed=SCHEMA_VERSION,
    )
    _metadata(root)
    record = _xs(_xs(root, "complexType", name=f"{layout.record}Type"), "sequence")
    for f in layout.fields:
        _field(record, f)
    if layout.nested:
        nested = _xs(record, "element", name=layout.nested.element)
        child = _xs(
            _sequence_type(nested),
            "element",
            name=layout.nested.item,
            minOccurs="0",
            maxOccurs="unbounded",
        )
        child_seq = _sequence_type(child)
        for f in layout.nested.fields:
            _field(child_seq, f)
    return root


@cache
def schema_text(layout: Layout) -> str:
    comment = f" MonoPilot {layout.entity} export, schema v{SCHEMA_VERSION} "
    root = build(layout)
    root.insert(0, etree.Comment(comment))
    return etree.tostring(root, pretty_print=True, xml_declaration=True, encoding="UTF-8").decode()


def file_name(layout: Layout) -> str:
    return f"monopilot_{layout.entity}_v1.xsd"


@cache
def schema(layout: Layout) -> etree.XMLSchema:
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    return etree.XMLSchema(etree.fromstring(schema_text(layout).encode(), parser))


class XmlInvalid(ValueError):
    pass


def validate_file(layout: Layout, path: Path) -> None:
    """Raise XmlInvalid naming the line if the file does not match the entity's XSD."""
    try:
        for _event, element in etree.iterparse(
            str(path),
            events=("end",),
            schema=schema(layout),
            resolve_entities=False,
            no_network=True,
            huge_tree=True,
        ):
            parent = element.getparent()
            if parent is None or parent.getparent() is None:
                continue
            element.clear(keep_tail=True)
            if parent.getparent().getparent() is None:  # a record: drop the ones before it
                while element.getprevious() is not None:
                    del parent[0]
    except etree.XMLSyntaxError as exc:
        where = f"line {exc.lineno}: " if exc.lineno else ""
        raise XmlInvalid(f"{where}{exc.msg}") from exc
