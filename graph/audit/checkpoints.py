"""Where the local stream runner (graph/audit/runner.py) has read each shard to: the
sequence number of the last record the handler acknowledged."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Protocol

from graph.store import Shard


class Checkpoints(Protocol):
    def get(self, shard: Shard) -> str | None: ...

    def put(self, shard: Shard, sequence: str) -> None: ...


class MemoryCheckpoints:
    def __init__(self) -> None:
        self.positions: dict[tuple[str, str], str] = {}

    def get(self, shard: Shard) -> str | None:
        return self.positions.get((shard.stream_arn, shard.shard_id))

    def put(self, shard: Shard, sequence: str) -> None:
        self.positions[(shard.stream_arn, shard.shard_id)] = sequence


class FileCheckpoints(MemoryCheckpoints):
    """Checkpoints in a JSON file, replaced atomically, so a restart resumes."""

    def __init__(self, path: Path) -> None:
        super().__init__()
        self.path = path
        if path.exists():
            for key, sequence in json.loads(path.read_text()).items():
                arn, shard_id = key.rsplit("|", 1)
                self.positions[(arn, shard_id)] = sequence

    def put(self, shard: Shard, sequence: str) -> None:
        super().put(shard, sequence)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".tmp")
        data = {f"{arn}|{shard_id}": seq for (arn, shard_id), seq in self.positions.items()}
        tmp.write_text(json.dumps(data))
        os.replace(tmp, self.path)
