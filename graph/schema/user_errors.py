"""User errors as the API shows them: the domain's UserError registered as a GraphQL type,
and the `userErrors` field of every write payload, bounded to MAX_USER_ERRORS entries
(declared for the cost walk as any list's most entries)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import strawberry

from graph.bounds import MAX_USER_ERRORS
from graph.domain import UserError, UserErrorCode
from graph.limits import MAX_ENTRIES

# The domain's own classes, registered as GraphQL types (one UserError in the codebase).
strawberry.enum(UserErrorCode, description="Why an input was refused.")
strawberry.type(UserError, description="A problem with the input; `field` is the path to it.")


def user_errors_field() -> Any:
    """A payload's `userErrors: [UserError!]!`, at most MAX_USER_ERRORS long."""
    return strawberry.field(
        description=f"What to fix in the input: the first {MAX_USER_ERRORS} problems found.",
        metadata={MAX_ENTRIES: MAX_USER_ERRORS},
    )


def first_errors(errors: Sequence[UserError]) -> list[UserError]:
    """The errors a payload returns: the first MAX_USER_ERRORS found."""
    return list(errors[:MAX_USER_ERRORS])
