"""Lambda SnapStart (Python 3.12+ runtimes): what runs before the snapshot and after a
restore.

With SnapStart on (`gateway_snap_start` in the Terraform module), Lambda runs the init
phase (importing the handler's module) once per published version, snapshots the
memory, and starts every later execution environment from that snapshot. Whatever the
init phase left in memory is then shared by every environment restored from it:

- **random state.** `random`'s Mersenne Twister is seeded once at import: every
  restored environment would draw the same "random" numbers (botocore's retry jitter
  among them). `after_restore` reseeds it from os.urandom. `secrets` and `uuid4` read
  os.urandom at each call and need nothing.
- **per-environment secrets.** A value generated at init (a throwaway cursor key) would
  be the same in every environment. Nothing here generates one at init: the gateway
  fetches its cursor secret, and the other functions generate theirs, on the first
  invocation, after the restore; `after_restore` forgets any environment that was built
  anyway, so its secret and clients are made again.
- **connections.** A socket in the snapshot is dead after a restore. The DynamoDB
  client (its aiohttp connections) is opened on the first invocation; an environment
  built before the snapshot has its clients closed by `before_snapshot` and reopened
  (lazily, on the next request) after the restore.
- **nothing secret or per-request.** The init phase touches no secret and serves no
  request: `prime()` imports the modules the first invocation needs and has botocore
  read DynamoDB's model and endpoint files into a session that creates no client until
  after the restore (graph/lambdas/gateway.py), so the snapshot holds code and
  package data, never a credential, a connection or a tenant's data.

The hooks are registered with the runtime's `snapshot_restore_py` module when it can be
imported (it is part of the Lambda Python 3.12+ runtime; the `test` extra installs
AWS's `snapshot-restore-py` from PyPI, the same module). Without it (a local run, an
on-demand function) registering is a no-op and priming does not happen.
"""

from __future__ import annotations

import importlib
import os
import random
from collections.abc import Callable, Iterable

#: Lambda sets this to `snap-start` for the init phase that is snapshotted.
INIT_TYPE_VARIABLE = "AWS_LAMBDA_INITIALIZATION_TYPE"

Hook = Callable[[], None]


def snap_start_init() -> bool:
    """This init phase is the one SnapStart snapshots."""
    return os.environ.get(INIT_TYPE_VARIABLE) == "snap-start"


def reseed() -> None:
    """New random state from os.urandom, so restored environments draw different
    numbers (retry jitter, anything else using `random`)."""
    random.seed()


def register(*, before_snapshot: Hook, after_restore: Hook) -> bool:
    """Register the hooks with the runtime's `snapshot_restore_py`; False (nothing
    registered) where that module is not installed."""
    try:
        import snapshot_restore_py
    except ImportError:
        return False
    snapshot_restore_py.register_before_snapshot(before_snapshot)
    snapshot_restore_py.register_after_restore(after_restore)
    return True


def prime(modules: Iterable[str]) -> list[str]:
    """Import what the first invocation would import, during the snapshotted init phase:
    code only, no secret, no client, no request. Returns the modules imported."""
    done = []
    for name in modules:
        importlib.import_module(name)
        done.append(name)
    return done
