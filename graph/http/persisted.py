"""Persisted queries: Apollo's automatic persisted queries (APQ) and a per-tenant safelist.

APQ: the client sends `extensions.persistedQuery = {"version": 1, "sha256Hash": <hex>}`
(POST body, or GET `?extensions=...`):

- hash only, known to this tenant  -> the stored document runs;
- hash only, unknown               -> PERSISTED_QUERY_NOT_FOUND (HTTP 200, message
                                      "PersistedQueryNotFound"): the client resends the
                                      hash with the query;
- hash and query                   -> the hash must be the query's SHA-256 (else
                                      BAD_USER_INPUT); the query is remembered and runs;
- version other than 1             -> PERSISTED_QUERY_NOT_SUPPORTED.

Each tenant has its own cache (an LRU bounded in entries and in characters), so a hash
tenant A registered means nothing to tenant B. A document is remembered once its hash
checks out, before validation: an invalid one costs a cache slot, never a DynamoDB call.

Safelist (`safelist = true` in the tenant's `[limits]`): the tenant runs only the
operations of `tenants/persisted/<id>.json`, an Apollo persisted-query manifest
(`{"format": "apollo-persisted-query-manifest", "version": 1, "operations": [{"id":
<sha256 of body>, "body": ..., "name": ..., "type": ...}]}`). A listed hash runs, with or
without its query; an unlisted hash is PERSISTED_QUERY_NOT_FOUND; any other document,
APQ registration included, is FORBIDDEN (HTTP 403): clients cannot extend the list.

Built-in operations (`builtin_operations()`: the embeddable widget's queries,
`widget/resale-widget.graphql` for a product and `widget/resale-widget-shop.graphql` for
the shop, and its live subscription) are known to every tenant in both modes: the widget
sends only their hash and runs whatever the tenant's mode. To add one, add its file to
`BUILTIN_FILES` below; nothing in the tenants' manifests changes.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import replace
from functools import cache
from pathlib import Path
from typing import Any

from strawberry.http import GraphQLRequestData

from graph.errors import (
    BadUserInput,
    Forbidden,
    PersistedQueryNotFound,
    PersistedQueryNotSupported,
)
from graph.registry.tenants import Tenant
from graph.settings import REPO_ROOT, Settings

log = logging.getLogger(__name__)

#: The embeddable widget's files (served by graph/routes/widget.py); its operations are
#: built in for every tenant.
WIDGET_DIR = REPO_ROOT / "widget"
OPERATION_FILE = WIDGET_DIR / "resale-widget.graphql"
OPERATION_NAME = "ResaleWidget"
#: The shop mode's query (a brand's listings, sorted and filtered: `Query.shop`).
SHOP_OPERATION_FILE = WIDGET_DIR / "resale-widget-shop.graphql"
SHOP_OPERATION_NAME = "ResaleWidgetShop"
#: The live subscription, byte for byte the `LIVE` text widget.js sends (no newline).
LIVE_OPERATION_FILE = WIDGET_DIR / "resale-widget-live.graphql"
BUILTIN_FILES = (OPERATION_FILE, SHOP_OPERATION_FILE, LIVE_OPERATION_FILE)


@cache
def builtin_operations() -> dict[str, str]:
    """SHA-256 hex -> document: the operations every tenant runs by hash (the widget's
    queries, and its live subscription, which it sends as text), even in safelist mode.
    Without the files (a deployment that left out widget/), none: the API still works."""
    found: dict[str, str] = {}
    for path in BUILTIN_FILES:
        try:
            document = path.read_text()
        except OSError:
            log.error("%s is missing: the widget's operation is not registered", path)
            continue
        found[hashlib.sha256(document.encode()).hexdigest()] = document
    return found


_SHA256 = re.compile(r"^[0-9a-f]{64}$")
MANIFEST_FORMAT = "apollo-persisted-query-manifest"
#: Characters of documents one tenant's APQ cache may hold (besides the entry bound).
CACHE_CHARS = 8_000_000


def sha256_hex(query: str) -> str:
    return hashlib.sha256(query.encode()).hexdigest()


class ManifestError(ValueError):
    """A safelist manifest is unreadable or wrong; the message names the file."""


def load_manifest(path: Path) -> dict[str, str]:
    """Hash -> document of an Apollo persisted-query manifest."""
    try:
        data: Any = json.loads(path.read_text())
    except (OSError, ValueError) as exc:
        raise ManifestError(f"{path}: cannot read the safelist manifest: {exc}") from exc
    if not isinstance(data, dict) or data.get("format") != MANIFEST_FORMAT:
        raise ManifestError(f'{path}: expected {{"format": "{MANIFEST_FORMAT}", ...}}')
    operations: dict[str, str] = {}
    for index, entry in enumerate(data.get("operations", [])):
        body = entry.get("body") if isinstance(entry, dict) else None
        op_id = entry.get("id") if isinstance(entry, dict) else None
        if not isinstance(body, str) or not isinstance(op_id, str):
            raise ManifestError(f"{path}: operations[{index}] needs string `id` and `body`")
        if sha256_hex(body) != op_id.lower():
            raise ManifestError(
                f"{path}: operations[{index}] `id` is not the SHA-256 of its `body` "
                f"(expected {sha256_hex(body)})"
            )
        operations[op_id.lower()] = body
    return operations


class PersistedQueries:
    """One tenant's persisted documents: its APQ cache, or its safelist."""

    def __init__(
        self,
        *,
        cache_size: int,
        safelist: Mapping[str, str] | None = None,
        builtin: Mapping[str, str] | None = None,
    ) -> None:
        self.cache_size = cache_size
        #: Operations known by hash whatever the mode (the widget's).
        self.builtin = dict(builtin or {})
        self.safelist = {**safelist, **self.builtin} if safelist is not None else None
        self._cache: OrderedDict[str, str] = OrderedDict()
        self._chars = 0

    @classmethod
    def for_tenant(cls, tenant: Tenant, settings: Settings) -> PersistedQueries:
        builtin = builtin_operations()
        if not tenant.limits.safelist:
            return cls(cache_size=settings.apq_cache_size, builtin=builtin)
        path = settings.tenants_dir / "persisted" / f"{tenant.id}.json"
        try:
            safelist = load_manifest(path)
        except ManifestError:
            # Fail closed: a safelisted tenant without a readable list runs nothing.
            log.exception("tenant %s: safelist mode without a usable manifest", tenant.id)
            safelist, builtin = {}, {}
        return cls(cache_size=settings.apq_cache_size, safelist=safelist, builtin=builtin)

    def resolve(self, request: GraphQLRequestData) -> GraphQLRequestData:
        """The request with its document filled in from the persisted ones, or raise
        the GatewayError the protocol calls for."""
        extensions = request.extensions or {}
        persisted = extensions.get("persistedQuery")
        if persisted is None:
            if self.safelist is not None and (
                request.query is None or sha256_hex(request.query) not in self.safelist
            ):
                raise Forbidden(
                    "This API runs only registered operations (safelist); this document is "
                    "not one of them. Register it in the tenant's persisted-query manifest."
                )
            return request
        digest = _digest(persisted)
        if request.query is None:
            query = self._lookup(digest)
            if query is None:
                raise PersistedQueryNotFound("PersistedQueryNotFound")
            return replace(request, query=query)
        if sha256_hex(request.query) != digest:
            raise BadUserInput(
                "`extensions.persistedQuery.sha256Hash` is not the SHA-256 of `query`: hash "
                "the exact document text you send (UTF-8, hex digest).",
                argument="extensions.persistedQuery.sha256Hash",
            )
        if self.safelist is not None:
            if digest not in self.safelist:
                raise Forbidden(
                    "This API runs only registered operations (safelist); clients cannot "
                    "register new ones. Add it to the tenant's persisted-query manifest."
                )
            return request
        self._remember(digest, request.query)
        return request

    def _lookup(self, digest: str) -> str | None:
        if self.safelist is not None:
            return self.safelist.get(digest)
        query = self._cache.get(digest) or self.builtin.get(digest)
        if digest in self._cache:
            self._cache.move_to_end(digest)
        return query

    def _remember(self, digest: str, query: str) -> None:
        if (
            self.cache_size == 0
            or len(query) > CACHE_CHARS // 8
            or digest in self._cache
            or digest in self.builtin
        ):
            return
        self._cache[digest] = query
        self._chars += len(query)
        while len(self._cache) > self.cache_size or self._chars > CACHE_CHARS:
            _, evicted = self._cache.popitem(last=False)
            self._chars -= len(evicted)

    def __len__(self) -> int:
        return len(self._cache)


def _digest(persisted: Any) -> str:
    if not isinstance(persisted, dict):
        raise BadUserInput(
            "`extensions.persistedQuery` must be an object: "
            '{"version": 1, "sha256Hash": "<hex SHA-256 of the query>"}.',
            argument="extensions.persistedQuery",
        )
    if persisted.get("version") != 1:
        raise PersistedQueryNotSupported(
            "PersistedQueryNotSupported: only `extensions.persistedQuery.version` 1 is "
            f"supported; got {persisted.get('version')!r}."
        )
    digest = persisted.get("sha256Hash")
    if not isinstance(digest, str) or not _SHA256.match(digest.lower()):
        raise BadUserInput(
            "`extensions.persistedQuery.sha256Hash` must be a 64-character hex SHA-256.",
            argument="extensions.persistedQuery.sha256Hash",
        )
    return digest.lower()
