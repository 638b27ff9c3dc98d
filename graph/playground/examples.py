"""The guided playground's example operations (one GraphiQL tab each) and the keys its
tenant/key picker offers.

The picker offers only the fixed development keys (README.md), and only those the
running gateway accepts: in stages dev and test, both demo tenants' read, write and admin
keys; in prod, none (the page then opens one tab with the default headers).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

from graph.registry.tenants import Principal

SCOPES = ("read", "write", "admin")


def dev_key(tenant_id: str, scope: str) -> str:
    """The fixed development key of a demo tenant, as in tenants/registry/<id>.toml."""
    return f"rg_{tenant_id}-dev-{scope}_{tenant_id}Dev{scope.title()}Key0001"


@dataclass(frozen=True)
class Example:
    title: str
    scope: str  # the key a tab runs with
    query: str
    variables: dict[str, Any] | None = None


PRODUCT_PAGE = Example(
    "Product page",
    "read",
    """\
# The storefront's product page: a product's pre-owned listings, with
# their sellers, one page at a time (pass endCursor as $after).
query ProductPage($after: String) {
  productListings(productId: "prd-001", first: 5, after: $after) {
    edges {
      node {
        id
        title
        condition
        price { amount currency }
        seller { displayName rating }
      }
    }
    pageInfo { hasNextPage endCursor }
  }
}
""",
)

SELLER = Example(
    "Seller with listings",
    "read",
    """\
query SellerWithListings {
  seller(id: "sel-003") {
    displayName
    rating
    listings(first: 5, status: ACTIVE) {
      edges { node { id title price { amount currency } } }
    }
  }
}
""",
)

HISTORY = Example(
    "History with asOf",
    "read",
    """\
# A listing's changes (from the audit trail), and the listing as it was
# at an instant.
query HistoryAsOf {
  listing(id: "lst-0001") {
    title
    status
    version
    history(first: 5) {
      edges { node { event at actor version changes { field old new } } }
    }
  }
  asOf: listing(id: "lst-0001", asOf: "2026-03-01T00:00:00Z") {
    title
    status
    version
  }
}
""",
)


def _filter(tenant_id: str) -> Example:
    if tenant_id == "threads":
        where, fields = "{ fabric: { in: [WOOL, CASHMERE] } }", "fabric sizeLabel"
    else:
        where, fields = "{ authenticityGrade: { in: [VERIFIED] } }", "size authenticityGrade"
    return Example(
        "Custom-field filter",
        "read",
        f"""\
# Filter on this brand's filterable custom fields (the Docs tab marks them).
query CustomFieldFilter {{
  productListings(productId: "prd-001", first: 5, where: {where}) {{
    edges {{ node {{ id title custom {{ {fields} }} }} }}
    pageInfo {{ hasNextPage endCursor }}
  }}
}}
""",
    )


def _create(tenant_id: str) -> Example:
    fields = " ".join(_custom_values(tenant_id))
    currency = "EUR" if tenant_id == "threads" else "USD"
    return Example(
        "createListing (write key)",
        "write",
        f"""\
# Writes need the write key. Validation problems come back as userErrors,
# with the path to the field as the client names it (["custom", "sizeLabel"]).
mutation CreateListing($input: CreateListingInput!) {{
  createListing(input: $input) {{
    listing {{ id version title custom {{ {fields} }} }}
    userErrors {{ field message code }}
  }}
}}
""",
        {
            "input": {
                "sellerId": "sel-001",
                "productId": "prd-002",
                "title": "Worn twice",
                "condition": "LIKE_NEW",
                "price": {"amount": "129.90", "currency": currency},
                "custom": _custom_values(tenant_id),
            }
        },
    )


def _custom_values(tenant_id: str) -> dict[str, Any]:
    if tenant_id == "threads":
        return {"fabric": "WOOL", "sizeLabel": "M"}
    return {"size": "10.5", "colorway": "Infrared"}


def _audit(tenant_id: str) -> Example:
    return Example(
        "auditTrail (admin key)",
        "admin",
        f"""\
# Every change made with one key: admin keys only.
query AuditTrail {{
  auditTrail(actor: "{tenant_id}-dev-write", from: "2026-01-01T00:00:00Z", first: 10) {{
    edges {{ node {{ entityType entityId event at version }} }}
    pageInfo {{ hasNextPage endCursor }}
  }}
}}
""",
    )


def examples(tenant_id: str) -> list[Example]:
    """One tab each: the product page, a custom-field filter, a seller with listings,
    history with asOf, createListing (write key) and auditTrail (admin key)."""
    return [
        PRODUCT_PAGE,
        _filter(tenant_id),
        SELLER,
        HISTORY,
        _create(tenant_id),
        _audit(tenant_id),
    ]


def picker_config(
    tenant_ids: list[str], authenticate: Callable[[str], Principal | None]
) -> dict[str, Any]:
    """The page's `keys` (label, tenant, scope, key) and `examples` by tenant: only for
    tenants whose three development keys this gateway accepts."""
    keys: list[dict[str, str]] = []
    tenants: dict[str, list[dict[str, Any]]] = {}
    for tenant_id in tenant_ids:
        raws = {scope: dev_key(tenant_id, scope) for scope in SCOPES}
        if not all(authenticate(raw) is not None for raw in raws.values()):
            continue
        for scope, raw in raws.items():
            keys.append(
                {
                    "label": f"{tenant_id}: {scope} key",
                    "tenant": tenant_id,
                    "scope": scope,
                    "key": raw,
                }
            )
        tenants[tenant_id] = [asdict(example) for example in examples(tenant_id)]
    return {"keys": keys, "examples": tenants}
