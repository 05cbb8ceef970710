"""Every piece of Python a diagram carries runs here: compiled under RestrictedPython, cached, and bounded.

SpiffWorkflow evaluates scripts, conditions, timer, multi-instance, message and DMN expressions with plain
``eval``/``exec``; this environment replaces that (through SpiffWorkflow's documented environment class) with
restricted code that may call only whitelisted functions by name. The bounds are in-process: wall time and loop
iterations are checked at every loop turn and function call, and the operations that can build a large object in
one step (``*``, ``+``, ``**``, ``<<``, ``%``-formatting, ``range`` and a few ``str``/``list`` methods) check the
size first. The data a script leaves behind is measured against a byte limit.
"""

from __future__ import annotations

import ast
import json
import re
from collections.abc import Callable, Mapping
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from types import CodeType
from typing import Any, ClassVar, Literal

from RestrictedPython.compile import compile_restricted_eval, compile_restricted_exec
from RestrictedPython.Guards import (
    full_write_guard,
    guarded_iter_unpack_sequence,
    guarded_unpack_sequence,
    safe_builtins,
)
from RestrictedPython.transformer import RestrictingNodeTransformer
from SpiffWorkflow.bpmn.script_engine.python_environment import BasePythonScriptEngineEnvironment

from .bounds import Budget, ScriptLimitExceeded, ScriptLimits, ScriptRejected

__all__ = ["FORBIDDEN_NAMES", "RestrictedEnvironment", "ScriptLimitExceeded", "ScriptLimits", "ScriptRejected",
           "compile_script"]

Mode = Literal["exec", "eval"]

# Names a diagram may not mention at all: they reach the interpreter, the file system or the frames.
FORBIDDEN_NAMES = frozenset({
    "open", "compile", "eval", "exec", "globals", "locals", "vars", "getattr", "setattr", "delattr",
    "__import__", "input", "breakpoint", "memoryview", "type", "object", "super", "dir", "help", "print",
    "exit", "quit", "classmethod", "staticmethod", "property", "id",
})


class _Policy(RestrictingNodeTransformer):
    """RestrictedPython's policy plus the bounds: a tick in every loop and function, guarded size operators."""

    _SIZED_OPS: ClassVar[dict[type[ast.operator], str]] = {
        ast.Mult: "*", ast.Add: "+", ast.Pow: "**", ast.LShift: "<<", ast.Mod: "%",
    }

    def visit_Name(self, node: ast.Name) -> Any:
        if node.id in FORBIDDEN_NAMES:
            self.error(node, f'name "{node.id}" is not allowed')
        return super().visit_Name(node)

    def visit_Import(self, node: ast.Import) -> Any:
        self.error(node, "import statements are not allowed; call a whitelisted function instead")
        return node

    def visit_ImportFrom(self, node: ast.ImportFrom) -> Any:
        self.error(node, "import statements are not allowed; call a whitelisted function instead")
        return node

    def visit_ClassDef(self, node: ast.ClassDef) -> Any:
        self.error(node, "class definitions are not allowed")
        return node

    def visit_Global(self, node: ast.Global) -> Any:
        self.error(node, "global statements are not allowed")
        return node

    def visit_FormattedValue(self, node: ast.FormattedValue) -> Any:
        spec = node.format_spec
        if spec is not None:
            parts = spec.values if isinstance(spec, ast.JoinedStr) else [spec]
            text = "".join(p.value for p in parts if isinstance(p, ast.Constant) and isinstance(p.value, str))
            if any(not isinstance(p, ast.Constant) for p in parts) or re.search(r"\d{5,}", text):
                self.error(node, "format specifications must be short constants")
        return super().visit_FormattedValue(node)

    def visit_While(self, node: ast.While) -> Any:
        return _with_tick(super().visit_While(node))

    def visit_For(self, node: ast.For) -> Any:
        return _with_tick(super().visit_For(node))

    def visit_FunctionDef(self, node: ast.FunctionDef) -> Any:
        return _with_tick(super().visit_FunctionDef(node))

    def visit_BinOp(self, node: ast.BinOp) -> Any:
        node = super().visit_BinOp(node)  # type: ignore[assignment]
        symbol = self._SIZED_OPS.get(type(node.op))
        if symbol is None:
            return node
        call = ast.Call(
            func=ast.Name("_binop_", ast.Load()), args=[ast.Constant(symbol), node.left, node.right], keywords=[]
        )
        return ast.fix_missing_locations(ast.copy_location(call, node))


def _with_tick(node: Any) -> Any:
    """Put a budget check at the top of a loop's or a function's body."""
    node.body.insert(0, _tick(node))
    return node


def _tick(node: ast.AST) -> ast.stmt:
    stmt = ast.Expr(ast.Call(func=ast.Name("_tick_", ast.Load()), args=[], keywords=[]))
    ast.copy_location(stmt, node)
    ast.fix_missing_locations(stmt)
    return stmt


def compile_script(source: str, mode: Mode) -> CodeType:
    """Compile ``source`` under the restrictions or raise :class:`ScriptRejected` with the reasons."""
    compiler = compile_restricted_exec if mode == "exec" else compile_restricted_eval
    result = compiler(source, filename="<diagram>", policy=_Policy)
    if result.errors or result.code is None:
        raise ScriptRejected("; ".join(result.errors) or "does not compile")
    return result.code


_EXTRA_BUILTINS: dict[str, Any] = {
    name: __builtins__[name] if isinstance(__builtins__, dict) else getattr(__builtins__, name)
    for name in (
        "min", "max", "sum", "sorted", "any", "all", "enumerate", "zip", "list", "dict", "set",
        "frozenset", "tuple", "reversed", "map", "filter",
    )
}
_DATA_TYPES: dict[str, Any] = {
    "date": date, "datetime": datetime, "timedelta": timedelta, "timezone": timezone, "Decimal": Decimal,
}


def _builtins() -> dict[str, Any]:
    allowed = {k: v for k, v in safe_builtins.items() if k not in FORBIDDEN_NAMES and not k.startswith("_")}
    allowed.pop("setattr", None)
    allowed.pop("delattr", None)
    allowed.update(_EXTRA_BUILTINS)
    allowed.update(_DATA_TYPES)
    return allowed


def _json_default(value: Any) -> str:
    return str(value)


class RestrictedEnvironment(BasePythonScriptEngineEnvironment):  # type: ignore[misc]
    """SpiffWorkflow script environment that runs only restricted, cached, bounded code."""

    def __init__(self, functions: Mapping[str, Callable[..., Any]], limits: ScriptLimits) -> None:
        clash = set(functions) & (FORBIDDEN_NAMES | set(_DATA_TYPES))
        if clash:
            raise ValueError(f"script function names clash with reserved names: {sorted(clash)}")
        self.functions = dict(functions)
        self.limits = limits
        self._builtins = _builtins()
        self._cache: dict[tuple[str, Mode], CodeType] = {}
        super().__init__({})

    def compiled(self, source: str, mode: Mode) -> CodeType:
        """Return the cached code of ``source``, compiling it under the restrictions the first time."""
        key = (source, mode)
        code = self._cache.get(key)
        if code is None:
            code = self._cache[key] = compile_script(source, mode)
        return code

    def _globals(
        self, budget: Budget, context: Mapping[str, Any], external: Mapping[str, Any] | None
    ) -> dict[str, Any]:
        builtins = dict(self._builtins)
        builtins["range"] = budget.range
        glb: dict[str, Any] = {
            "__builtins__": builtins,
            "_getattr_": budget.getattr,
            "_getitem_": lambda obj, key: obj[key],
            "_getiter_": budget.iterate,
            "_iter_unpack_sequence_": guarded_iter_unpack_sequence,
            "_unpack_sequence_": guarded_unpack_sequence,
            "_write_": full_write_guard,
            "_apply_": lambda f, *a, **kw: f(*a, **kw),
            "_inplacevar_": budget.inplace,
            "_binop_": budget.binop,
            "_tick_": budget.tick,
        }
        glb.update(self.functions)
        if external:
            glb.update(external)
        glb.update(context)
        return glb

    def evaluate(
        self, expression: str, context: dict[str, Any], external_context: Mapping[str, Any] | None = None
    ) -> Any:
        """Evaluate a restricted expression against task data."""
        code = self.compiled(expression, "eval")
        budget = Budget(self.limits)
        return eval(code, self._globals(budget, context, external_context))  # noqa: S307 - restricted code

    def execute(self, script: str, context: dict[str, Any], external_context: Mapping[str, Any] | None = None) -> bool:
        """Run a restricted script; what it assigns becomes task data, within the size limit."""
        code = self.compiled(script, "exec")
        budget = Budget(self.limits)
        glb = self._globals(budget, context, external_context)
        reserved = set(glb) - set(context)
        exec(code, glb)  # noqa: S102 - restricted code
        result = {
            k: v for k, v in glb.items()
            if (k not in reserved or k in context) and not k.startswith("_") and not callable(v)
        }
        self.check_size(result)
        for key in [k for k in context if k not in result]:
            del context[key]
        context.update(result)
        return True

    def check_size(self, data: Mapping[str, Any]) -> None:
        """Refuse task data larger than the configured limit (measured as JSON), or holding NaN or an infinity,
        which no JSON response could carry."""
        try:
            text = json.dumps(data, default=_json_default, ensure_ascii=False, allow_nan=False)
        except ValueError:
            raise ScriptLimitExceeded("a script produced NaN or an infinity; task data holds finite numbers only",
                                      code="non_finite_number") from None
        size = len(text.encode())
        if size > self.limits.task_data_bytes:
            raise ScriptLimitExceeded(
                f"task data would be {size} bytes, more than the limit of {self.limits.task_data_bytes}",
                code="task_data_too_large",
            )

    def call_service(self, context: dict[str, Any], **kwargs: Any) -> Any:
        """Service tasks are refused at deploy; reaching one at run time is an error."""
        raise ScriptRejected("service tasks are not supported")
