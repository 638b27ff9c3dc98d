"""Custom-field values for every declared field of a generated extension, and the
product page selecting them (bench/benchmarks/extension_scale.py)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from bench.harness.dataset import TENANT_A
from bench.harness.memory import MemoryData
from bench.harness.queries import PRODUCT_PAGE_IMAGES


def _stored(spec: Any, index: int) -> Any:
    """A value of the field in stored form (graph/extensions/values.py)."""
    kind = spec.type
    if kind == "String":
        return f"value {index}"
    if kind == "Int":
        return Decimal(index % 97)
    if kind == "Decimal":
        return Decimal("10.5") + index % 7
    if kind == "Float":
        return Decimal("0.25")
    if kind == "Boolean":
        return index % 2 == 0
    if kind == "DateTime":
        return f"2025-0{1 + index % 9}-15T12:00:00.000+00:00"
    if kind == "enum":
        return spec.values[index % len(spec.values)]
    if kind == "list":
        return [_stored(spec.items, index + k) for k in range(3)]
    if kind == "object":
        return {name: _stored(sub, index) for name, sub in spec.fields.items()}
    return json.dumps({"source": "bench", "n": index}, separators=(",", ":"))  # JSON


def data_with_custom(fields: Mapping[str, Any]) -> MemoryData:
    """The dataset with a value for every declared field (public and private) on every
    listing, round-tripped through the DynamoDB wire format like the rest of the item."""
    from bench.harness.graph_store import from_wire, to_wire

    data = MemoryData(TENANT_A)
    for index, item in enumerate(data.listings.values()):
        custom = {name: _stored(spec, index) for name, spec in fields.items()}
        item["custom"] = from_wire(to_wire({"custom": custom}))["custom"]
    return data


def custom_query(public: Mapping[str, Any]) -> str:
    from strawberry.utils.str_converters import to_camel_case

    parts = []
    for name, spec in public.items():
        if spec.type == "object":
            subs = " ".join(to_camel_case(s) for s in spec.fields)
            parts.append(f"{to_camel_case(name)} {{ {subs} }}")
        else:
            parts.append(to_camel_case(name))
    anchor = "seller { displayName }"
    if PRODUCT_PAGE_IMAGES.count(anchor) != 1:
        raise RuntimeError("the product page query changed shape; update extension_scale")
    return PRODUCT_PAGE_IMAGES.replace(anchor, f"{anchor} custom {{ {' '.join(parts)} }}")
