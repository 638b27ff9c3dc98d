"""The operations every benchmark sends, and their variables. Stdlib only (cold-start
children read it before timing their imports)."""

from __future__ import annotations

from typing import Any

PRODUCT_ID = "prd-001"
SELLER_ID = "sel-003"

#: The README's product page (issue 15): kicks, `prd-001`, with sellers and pageInfo.
#: Every variant of bench/benchmarks/product_page.py, the Lambda pair, the noisy
#: neighbour and the cold start answer exactly this.
PRODUCT_PAGE = """query ProductPage($productId: ID!, $first: Int!) {
  productListings(productId: $productId, first: $first) {
    edges { node { id title price { amount currency } seller { displayName } } }
    pageInfo { hasNextPage endCursor }
  }
}"""

#: The product page as bench measured it before issue 15 (images, no pageInfo): kept by
#: the in-process figures (calls, field_cost, extension_scale) so their numbers stay
#: comparable with earlier runs.
PRODUCT_PAGE_IMAGES = """query ProductPage($productId: ID!, $first: Int!) {
  productListings(productId: $productId, first: $first) {
    edges { node { id title price { amount currency } images { url } seller { displayName } } }
  }
}"""

SELLER_WITH_LISTINGS = """query SellerPage($id: ID!) {
  seller(id: $id) {
    displayName rating
    listings(first: 20) { edges { node { id title seller { displayName } } } }
  }
}"""

LISTINGS_BY_IDS = """query ListingsByIds($ids: [ID!]!) {
  listings(ids: $ids) { id title seller { displayName } }
}"""


def product_page_variables(first: int) -> dict[str, Any]:
    return {"productId": PRODUCT_ID, "first": first}


def product_page_payload(first: int) -> dict[str, Any]:
    """The JSON body of a product page POST."""
    return {"query": PRODUCT_PAGE, "variables": product_page_variables(first)}
