"""Build the preset zlib dictionary of stored instance state (workflows/engine/state-1.zdict; docs/engine.md, State).

A waiting instance's state is 12–20 KB of JSON that zlib alone brings to about 2 KB: most of it is the same keys
and task names in every instance. A preset dictionary gives zlib those bytes before the first one, so that
they cost a back-reference instead of being spelled out once per instance. The dictionary is made of real states of
the registration diagram (the process with the most instances waiting for a year: fresh, with its reassessment
open, after a reassessment), task ids removed (they are random), the most common last (zlib reaches the end of a
dictionary most cheaply), at most zlib's 32 KB window.

Once instances are stored with a dictionary it must never change: zlib names it in each blob's header (its
Adler-32) and the serializer keeps every dictionary it ever wrote with. A new dictionary is a new file beside the
old ones (state-2.zdict …), added to ``serializer.DICTIONARIES``; this script writes only a file that does not
exist yet.

    PYTHONPATH=. .venv/bin/python scripts/state_dictionary.py workflows/engine/state-2.zdict
"""

from __future__ import annotations

import re
import sys
from datetime import date
from pathlib import Path

import workflows.registration  # noqa: F401 - registers registration_timers with the script functions
from domain.dates import china_midnight
from domain.registration.dates import validity_end
from workflows.engine import Engine, Run, ScriptLimits
from workflows.script_functions import SCRIPT_FUNCTIONS

ROOT = Path(__file__).resolve().parents[1]
DIAGRAM = ROOT / "bpmn" / "registration" / "registration.bpmn"
WINDOW = 32 * 1024
_TASK_ID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_REASSESSMENT = {"diagnosis_code": "M05.900", "diagnosis_name": "类风湿关节炎", "diagnostic_basis": "DAS28 3.1",
                 "indication": "类风湿关节炎", "indication_confirmed": True, "dose": "5 mg", "frequency": "每日2次",
                 "quantity_per_fill": "56"}


def _at(day: date) -> object:
    return china_midnight(day).replace(second=1)


def sample_states(engine: Engine) -> list[str]:
    """A registration's state as stored: fresh, with its reassessment open, after it (ND-7, ND-8)."""
    start = date(2026, 8, 31)
    data = {"start": start.isoformat(), "end": validity_end(start).isoformat(), "reassessed_on": None}
    run: Run = engine.start(engine.diagram(DIAGRAM.read_text(encoding="utf-8")), data, _at(start))
    states = [engine.serializer.dump_text(run.workflow)]
    run.advance(_at(date(2027, 1, 30)))
    states.append(engine.serializer.dump_text(run.workflow))
    (task,) = [t for t in run.snapshot().user_tasks if t.bpmn_id == "reassess"]
    run.complete(task.id, _REASSESSMENT, _at(date(2027, 2, 10)))
    states.append(engine.serializer.dump_text(run.workflow))
    return states


def build() -> bytes:
    """The dictionary: the sample states without their task ids, the fresh one last, cut to zlib's window."""
    states = sample_states(Engine(SCRIPT_FUNCTIONS, ScriptLimits()))
    text = "".join(_TASK_ID.sub("", s) for s in reversed(states)).encode()
    return text[-WINDOW:]


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    target = Path(argv[0])
    if target.exists():
        print(f"{target} exists: a dictionary in use never changes; write a new file", file=sys.stderr)
        return 1
    target.write_bytes(build())
    print(f"wrote {target} ({target.stat().st_size} bytes)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
