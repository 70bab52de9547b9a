"""Field specs: the one source of truth for CSV columns, JSON keys and XML elements/XSD.

A `Layout` names an entity's fields once; the CSV writer flattens it (nested lists become
one row per child, list values become "a,b,c"), the JSON writer keeps it nested, and the
XSD generator and the XML writer derive element names from the same field names.
"""

from __future__ import annotations

from dataclasses import dataclass

NAMESPACE = "http://monopilot.app/schema/v1"
SCHEMA_VERSION = "1.0"

# Field kinds and their XSD types.
XSD_TYPES = {
    "str": "xs:string",
    "int": "xs:integer",
    "decimal": "xs:decimal",
    "date": "xs:date",
    "datetime": "xs:dateTime",
    "bool": "xs:boolean",
}


def pascal(name: str) -> str:
    """product_code -> ProductCode; an `id` part is written `ID` as the story's OrganizationID."""
    return "".join(
        "ID" if part == "id" else part[:1].upper() + part[1:] for part in name.split("_")
    )


@dataclass(frozen=True)
class Field:
    name: str
    kind: str = "str"  # one of XSD_TYPES, or "list" (a list of strings)
    required: bool = False
    item: str = ""  # element name of one list item in XML (e.g. "Allergen")

    @property
    def element(self) -> str:
        return pascal(self.name)


@dataclass(frozen=True)
class Nested:
    """A list of child records kept nested in JSON/XML and flattened to rows in CSV."""

    name: str  # JSON key, e.g. "lines"
    item: str  # XML element of one child, e.g. "Line"
    fields: tuple[Field, ...]
    csv_prefix: str = ""  # CSV column = prefix + field name

    @property
    def element(self) -> str:
        return pascal(self.name)


@dataclass(frozen=True)
class Layout:
    entity: str
    collection: str  # XML element wrapping the records, e.g. "Products"
    record: str  # XML element of one record, e.g. "Product"
    fields: tuple[Field, ...]
    nested: Nested | None = None

    def csv_header(self) -> list[str]:
        header = [f.name for f in self.fields]
        if self.nested:
            header += [self.nested.csv_prefix + f.name for f in self.nested.fields]
        return header
