"""The SpiffWorkflow facade: spec registry, restricted scripts, state serializer, engine time.

Nothing outside this package imports SpiffWorkflow or RestrictedPython (an import-linter contract checks it).
"""

from .diagrams import Diagram, UserTaskInfo, content_hash
from .facade import Engine, Failure, Run, Snapshot, Subscription, UserTaskView
from .scripting import ScriptLimits

__all__ = [
    "Diagram",
    "Engine",
    "Failure",
    "Run",
    "ScriptLimits",
    "Snapshot",
    "Subscription",
    "UserTaskInfo",
    "UserTaskView",
    "content_hash",
]
