"""Every registry use case has a test on the fakes (a use case added without one fails here).

A use case is a coroutine function taking ``(command, uow)``; the steps use cases share (``mark_closed``,
``revoke_credentials_of``) take other arguments and are tested through the use cases that call them.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re
from pathlib import Path

import registry.use_cases
from registry.notifications import use_cases as thank_you_use_cases


def _use_cases() -> set[str]:
    modules = [
        importlib.import_module(f"registry.use_cases.{info.name}")
        for info in pkgutil.iter_modules(registry.use_cases.__path__)
    ]
    names = set()
    for module in [*modules, thank_you_use_cases]:
        for name in getattr(module, "__all__", ()):
            function = getattr(module, name)
            if inspect.iscoroutinefunction(function) and _takes_command_and_uow(function):
                names.add(name)
    return names


def _takes_command_and_uow(function: object) -> bool:
    parameters = list(inspect.signature(function).parameters)  # type: ignore[arg-type]
    return len(parameters) == 2 and parameters[0] in ("cmd", "query") and parameters[1] == "uow"


def test_every_use_case_is_called_in_a_fast_test() -> None:
    tests = " ".join(path.read_text() for path in Path(__file__).parent.glob("test_*.py") if path != Path(__file__))
    called = set(re.findall(r"await (\w+)\(", tests))
    use_cases = _use_cases()
    assert len(use_cases) >= 40
    assert sorted(use_cases - called) == []
