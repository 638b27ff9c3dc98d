"""`graph extensions check`: breaking changes in the extension file's terms, with the
safe way to make each change (the report and its exit codes: graph/extensions/report.py).

GraphQL's `find_breaking_changes` speaks in schema coordinates
(`KicksListingCustom.size was removed`); each is mapped back to the path in the
extension file (`listing.fields.size`), named by kind, and given a fix.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from strawberry.utils.str_converters import to_camel_case

from graph.extensions.report import Finding
from graph.extensions.spec import ExtensionSpec, FieldSpec

ENTITIES = {"Listing": "listing", "Seller": "seller"}
_COORDINATE = re.compile(r"\b([A-Za-z_]\w*)\.([A-Za-z_]\w*)\b")
_TYPE = re.compile(r"\b([A-Z]\w*) was removed")
_WHERE_ARG = re.compile(r"\(where:\) was removed")
_SCALAR_FILTERS = {
    f"{t}Filter" for t in ("String", "Int", "Float", "Boolean", "Decimal", "DateTime")
}
_BASE_INPUTS = {
    "CreateListingInput": "listing",
    "UpdateListingInput": "listing",
    "CreateSellerInput": "seller",
    "UpdateSellerInput": "seller",
}
ENTITY_TYPES = ("Custom", "CustomCreateInput", "CustomUpdateInput", "Where")

DEPRECATE = (
    'put it back with `deprecation_reason = "..."`, export the schema (`graph schema '
    "export --tenant {tenant}`) and release; remove it in a later release, once clients "
    "have stopped using it"
)
NEW_FIELD = (
    "keep the field as it was; add a new field with the new type (e.g. `{name}_v2`), "
    "write both and move clients to the new one, then deprecate the old one and remove "
    "it in a later release"
)
FIXES = {
    "removed": DEPRECATE,
    "no longer filterable": (
        "keep `filterable = true` until clients stop filtering on it; deprecate the field "
        "first if it is going away"
    ),
    "type changed": NEW_FIELD,
    "made required": (
        "keep it optional (no `required = true`) and give it a `default`, so clients that "
        "do not send it keep working"
    ),
    "enum value removed": (
        "keep the value in `values` (writers may still send it, readers may still get it); "
        "say in `description` that it is retired"
    ),
    "type removed": (
        "a GraphQL type left the schema with the last field that used it; keep that field "
        "(deprecated) for a release before removing it"
    ),
    "other": "make the change in two releases: add the new shape, deprecate the old one",
}


def _snake(camel: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", camel).lower()


_Types = dict[str, tuple[str, Mapping[str, FieldSpec], bool]]


def _type_paths(prefix: str, spec: ExtensionSpec) -> _Types:
    """GraphQL type name -> (file path, the fields declared under it, whether it is an
    entity's own type such as `KicksListingCustom`) for this extension's types."""
    from graph.extensions.spec import pascal

    found: _Types = {}

    def walk(owner: str, name: str, declared: FieldSpec, path: str) -> None:
        type_name = f"{owner}{pascal(name)}"
        if declared.type == "list" and declared.items is not None:
            walk(owner, name, declared.items, path)
        elif declared.type in {"enum", "object"}:
            for suffix in ("", "Input", "Filter"):
                found[type_name + suffix] = (path, declared.fields, False)
            for sub_name, sub in declared.fields.items():
                walk(type_name, sub_name, sub, f"{path}.fields.{sub_name}")

    for type_name, entity in ENTITIES.items():
        owner = f"{prefix}{type_name}"
        fields = getattr(spec, entity).fields
        for suffix in ENTITY_TYPES:
            found[owner + suffix] = (f"{entity}.fields", fields, True)
        for name, declared in fields.items():
            walk(owner, name, declared, f"{entity}.fields.{name}")
    return found


def _field_path(base: str, fields: Mapping[str, FieldSpec], graphql_name: str) -> str:
    for name in fields:
        if to_camel_case(name) == graphql_name:
            return f"{base}.{name}"
    return f"{base}.{_snake(graphql_name)}"


def _locate(
    prefix: str, spec: ExtensionSpec, type_name: str
) -> tuple[str, Mapping[str, FieldSpec], bool] | None:
    """Where a GraphQL type comes from in the file; for a type of a field the file no
    longer declares, a guess from its name."""
    types = _type_paths(prefix, spec)
    if type_name in types:
        return types[type_name]
    for graphql_entity, entity in ENTITIES.items():
        head = f"{prefix}{graphql_entity}"
        if type_name.startswith(head) and len(type_name) > len(head):
            rest = type_name[len(head) :]
            if rest in ENTITY_TYPES:
                return f"{entity}.fields", {}, True
            rest = re.sub(r"(Input|Filter)$", "", rest)
            return f"{entity}.fields.{_snake(rest)}", {}, False
    return None


def explain(
    code: str, description: str, *, tenant: str, prefix: str, spec: ExtensionSpec
) -> Finding:
    """A breaking change (`find_breaking_changes`' type name and text) in file terms."""
    coordinate = _COORDINATE.search(description)
    type_name = coordinate.group(1) if coordinate else None
    member = coordinate.group(2) if coordinate else None
    if code == "TYPE_REMOVED":
        found = _TYPE.search(description)
        type_name, member = (found.group(1) if found else None), None
    located = _locate(prefix, spec, type_name) if type_name else None
    path = None
    entity = _BASE_INPUTS.get(type_name or "")
    if entity is not None and member == "custom":  # custom input made required as a whole
        path = f"{entity}.fields"
    elif _WHERE_ARG.search(description) or (
        code == "TYPE_REMOVED" and type_name in _SCALAR_FILTERS
    ):
        path, code = "listing.fields", "FILTER_REMOVED"
    elif located is not None:
        base, fields, entity_level = located
        if code == "VALUE_REMOVED_FROM_ENUM":
            path = f"{base}.values ({member})"
        elif member is not None:
            path = _field_path(base if entity_level else f"{base}.fields", fields, member)
            if type_name and type_name.endswith("Where") and entity_level:
                path += ".filterable"
        else:
            path = base
    kind = "other"
    if code == "FILTER_REMOVED" or (code == "TYPE_REMOVED" and (type_name or "").endswith("Where")):
        kind = "no longer filterable"
    elif code == "TYPE_REMOVED":
        kind = "type removed"
    elif code == "FIELD_REMOVED":
        kind = "no longer filterable" if path and path.endswith(".filterable") else "removed"
    elif code == "VALUE_REMOVED_FROM_ENUM":
        kind = "enum value removed"
    elif code in {"FIELD_CHANGED_KIND", "TYPE_CHANGED_KIND", "ARG_CHANGED_KIND"}:
        made_required = re.search(r"from (\S+) to \1!", description) is not None
        kind = "made required" if made_required else "type changed"
    elif code in {"REQUIRED_INPUT_FIELD_ADDED", "REQUIRED_ARG_ADDED"}:
        kind = "made required"
    name = (path or "field").split(" ")[0].removesuffix(".filterable").split(".")[-1]
    fix = FIXES[kind].format(tenant=tenant, name=name)
    return Finding(path or f"(schema) {description}", kind, fix, description, code)


def summarise(findings: list[Finding]) -> list[Finding]:
    """One finding per field and kind. Changes that only follow from another one (the
    `where` argument going with the last filterable field, a removed field's enum type,
    the `custom` input turning required with its first required field) are folded into
    the finding they follow from; the GraphQL texts are kept together."""
    merged: dict[tuple[str, str], Finding] = {}
    derived: list[Finding] = []
    for finding in findings:
        if finding.field.endswith(".fields") or finding.kind in {"type removed", "other"}:
            derived.append(finding)
            continue
        key = (finding.field, finding.kind)
        if key in merged:
            kept = merged[key]
            merged[key] = Finding(
                kept.field, kept.kind, kept.fix, f"{kept.graphql} {finding.graphql}", kept.code
            )
        else:
            merged[key] = finding
    out = list(merged.values())
    for finding in derived:
        cause = next((f for f in out if _follows(finding, f)), None)
        if cause is None:
            out.append(finding)
            continue
        n = out.index(cause)
        out[n] = Finding(
            cause.field, cause.kind, cause.fix, f"{cause.graphql} {finding.graphql}", cause.code
        )
    return out


def _follows(derived: Finding, cause: Finding) -> bool:
    if derived.field.endswith(".fields"):  # an entity-wide consequence
        return cause.field.startswith(derived.field) and cause.kind == derived.kind
    return cause.field.removesuffix(".filterable") == derived.field or cause.field.startswith(
        f"{derived.field}."
    )
