"""Pickles of the learner's state, read across releases.

A snapshot names the classes it holds by module and name. When a class moves between
modules, the snapshots written before keep the old name: `MOVED` says where each lives
now, so every snapshot a release wrote still loads.
"""

import io
import pickle
from typing import Any

MOVED = {
    ("api.learning.race_process", "RaceBlob"): ("api.learning.race_messages", "RaceBlob"),
    ("api.learning.tasks", "TaskOptions"): ("api.learning.options", "TaskOptions"),
}


class _Unpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str) -> Any:
        module, name = MOVED.get((module, name), (module, name))
        return super().find_class(module, name)


def dumps(value: Any) -> bytes:
    return pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)


def loads(data: bytes) -> Any:
    """`pickle.loads`, finding moved classes where they live now.

    >>> from api.learning.options import TaskOptions
    >>> written = pickle.dumps(TaskOptions(), protocol=0)  # names its classes as text
    >>> old = written.replace(b"api.learning.options", b"api.learning.tasks")
    >>> loads(old) == TaskOptions()
    True
    """
    return _Unpickler(io.BytesIO(data)).load()
