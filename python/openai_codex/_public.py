"""Where a public class says it lives."""

from __future__ import annotations


def public(module: str, *classes: type) -> None:
    """Names ``module`` (the public module that exports them) as the home of ``classes``.

    The client classes are defined in the private ``_async``/``_sync`` packages; ``help()``,
    reprs of the classes and documentation tools then show the module users import them from.
    """
    for cls in classes:
        cls.__module__ = module
