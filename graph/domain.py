"""Business rules of listings and sellers: validation and status transitions.

Pure functions, no I/O: mutations call them before they touch the store.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import Any

#: Which status may follow which. SOLD is final.
TRANSITIONS: dict[str, frozenset[str]] = {
    "DRAFT": frozenset({"ACTIVE", "WITHDRAWN"}),
    "ACTIVE": frozenset({"RESERVED", "WITHDRAWN"}),
    "RESERVED": frozenset({"SOLD", "ACTIVE"}),
    "WITHDRAWN": frozenset({"ACTIVE"}),
    "SOLD": frozenset(),
}
INITIAL_STATUSES = frozenset({"DRAFT", "ACTIVE"})
#: A stream record's `eventName` -> the change's event, in history entries and in the
#: change events of live subscriptions alike.
STREAM_EVENTS = {"INSERT": "CREATED", "MODIFY": "UPDATED", "REMOVE": "REMOVED"}
MAX_PRICE = Decimal("1000000")
MAX_IMAGES = 12
_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
_CURRENCY = re.compile(r"^[A-Z]{3}$")
#: External images (foreign data) are https only: a page served over https must not
#: load mixed content, and a plain-http host can be rewritten on the way.
_URL = re.compile(r"^https://[^\s]{1,2040}$")
_IDEMPOTENCY_KEY = re.compile(r"^[\x21-\x7e]{1,255}$")
#: C0/C1 control characters (tab and newline only where a field may span lines) and the
#: bidirectional embeddings, overrides and isolates (U+202A-202E, U+2066-2069), which
#: make text display in an order other than the one stored ("Trojan Source").
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_LINE_BREAKS = re.compile("[\t\n]")


class UserErrorCode(StrEnum):
    """Why an input was refused."""

    REQUIRED = "REQUIRED"
    INVALID = "INVALID"
    TOO_LONG = "TOO_LONG"
    OUT_OF_RANGE = "OUT_OF_RANGE"
    NOT_FOUND = "NOT_FOUND"
    #: Photos (issue 27): the upload's form expired before it was attached.
    EXPIRED = "EXPIRED"
    #: Photos: another listing holds this upload.
    ALREADY_USED = "ALREADY_USED"
    #: Photos: nothing was posted under this upload id yet.
    NOT_UPLOADED = "NOT_UPLOADED"
    #: Photos: the file is not an image this gateway takes (type, size, damage).
    UNSUPPORTED_IMAGE = "UNSUPPORTED_IMAGE"


@dataclass(frozen=True)
class UserError:
    """A problem with a write's input: the path to the field, what is wrong, a code.
    The schema exposes this very class as the GraphQL type `UserError`."""

    field: tuple[str, ...]
    message: str
    code: UserErrorCode


def allowed(current: str, target: str) -> bool:
    return target in TRANSITIONS.get(current, frozenset())


def transition_message(current: str, target: str) -> str:
    options = sorted(TRANSITIONS.get(current, frozenset()))
    then = (
        f"from {current} it can move to {', '.join(options)}" if options else f"{current} is final"
    )
    return f"A listing cannot move from {current} to {target}: {then}."


def text_problem(value: str, *, multiline: bool = False) -> str | None:
    """Why a text field's value is refused (control characters, direction overrides,
    and line breaks unless `multiline`), or None."""
    found = _CONTROL.search(value) or (None if multiline else _LINE_BREAKS.search(value))
    if found is None:
        return None
    return (
        f"Must not contain the control or direction-override character "
        f"U+{ord(found.group()):04X} (at character {found.start()})."
    )


def _text(
    errors: list[UserError],
    path: tuple[str, ...],
    value: Any,
    *,
    min_len: int,
    max_len: int,
    multiline: bool = False,
) -> None:
    if value is None:
        return
    problem = text_problem(value, multiline=multiline)
    if problem is not None:
        errors.append(UserError(path, problem, UserErrorCode.INVALID))
        return
    length = len(value.strip())
    if length < min_len:
        errors.append(
            UserError(
                path, f"Must not be empty (at least {min_len} characters).", UserErrorCode.REQUIRED
            )
        )
    elif len(value) > max_len:
        errors.append(
            UserError(
                path, f"At most {max_len} characters; got {len(value)}.", UserErrorCode.TOO_LONG
            )
        )


def validate_listing(data: Mapping[str, Any], *, creating: bool) -> list[UserError]:
    """Problems with a listing's fields, each with the input path, message and code."""
    errors: list[UserError] = []
    _text(errors, ("title",), data.get("title"), min_len=1, max_len=140)
    description = data.get("description")
    _text(errors, ("description",), description, min_len=0, max_len=5000, multiline=True)
    for name in ("sellerId", "productId"):
        value = data.get(name)
        if value is not None and not _ID.match(value):
            errors.append(
                UserError(
                    (name,), "Use 1 to 64 letters, digits, '-' or '_'.", UserErrorCode.INVALID
                )
            )
    price = data.get("price")
    if price is not None:
        amount: Decimal = price["amount"]
        if not amount.is_finite() or amount <= 0 or amount > MAX_PRICE:
            errors.append(
                UserError(
                    ("price", "amount"),
                    f"Must be more than 0 and at most {MAX_PRICE}.",
                    UserErrorCode.OUT_OF_RANGE,
                )
            )
        elif amount.as_tuple().exponent < -2:  # type: ignore[operator]
            errors.append(
                UserError(("price", "amount"), "At most 2 decimal places.", UserErrorCode.INVALID)
            )
        if not _CURRENCY.match(price["currency"]):
            errors.append(
                UserError(
                    ("price", "currency"),
                    "Use an ISO 4217 code such as USD or EUR.",
                    UserErrorCode.INVALID,
                )
            )
    images = data.get("images")
    if images is not None:
        if len(images) > MAX_IMAGES:
            errors.append(
                UserError(("images",), f"At most {MAX_IMAGES} images.", UserErrorCode.TOO_LONG)
            )
        for n, image in enumerate(images):
            if not _URL.match(image["url"]):
                errors.append(
                    UserError(
                        ("images", str(n), "url"), "Must be an https URL.", UserErrorCode.INVALID
                    )
                )
    status = data.get("status")
    if creating and status is not None and status not in INITIAL_STATUSES:
        errors.append(
            UserError(
                ("status",), "A new listing starts as DRAFT or ACTIVE.", UserErrorCode.INVALID
            )
        )
    return errors


def idempotency_problem(key: str) -> str | None:
    if not _IDEMPOTENCY_KEY.match(key):
        return "The Idempotency-Key header must be 1 to 255 visible ASCII characters."
    return None


def request_fingerprint(data: Mapping[str, Any]) -> str:
    """A stable hash of a mutation's input, to tell a retry from a different request."""
    canonical = json.dumps(data, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def idempotent_listing_id(tenant_id: str, key_id: str, idempotency_key: str) -> str:
    digest = hashlib.sha256(f"{tenant_id}\x00{key_id}\x00{idempotency_key}".encode()).hexdigest()
    return f"lst-{digest[:20]}"


def valid_id(value: str) -> bool:
    return bool(_ID.match(value))
