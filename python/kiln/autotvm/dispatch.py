"""apply_history_best: which records kiln.build compiles with."""
import os
import threading

_state = threading.local()


def current_records():
    """The records file of the innermost apply_history_best ("" outside)."""
    stack = getattr(_state, "stack", [])
    return stack[-1] if stack else ""


class apply_history_best:  # pylint: disable=invalid-name  (AutoTVM's name)
    """Within the block, kiln.build compiles each tunable operator with its
    best record in `records` (the JSON lines log_to_file and `kiln tune`
    write); the target's default schedule where there is none."""

    def __init__(self, records):
        self.records = os.fspath(records)
        if not os.path.isfile(self.records):
            raise FileNotFoundError("apply_history_best: no records file %s" % self.records)

    def __enter__(self):
        if not hasattr(_state, "stack"):
            _state.stack = []
        _state.stack.append(self.records)
        return self

    def __exit__(self, *exc):
        _state.stack.pop()
        return False
