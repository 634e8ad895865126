"""mutmut's command line (``tools/mutate.py`` runs it), with one fix to its mutant generator.

mutmut 3.8 removes a ``not`` by putting the operand in the operator's place and drops the
parentheses that belonged to the ``not`` expression. When that expression spans lines inside
them (``if (\\n not a\\n .b()\\n):``, as ruff format writes a long condition), the mutant is
invalid Python and mutmut stops before testing anything. Here the operand keeps those
parentheses. Mutant generation runs in forked processes, so patching the shared operator list
before the command starts reaches them.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from typing import Any, cast

import libcst as cst
from mutmut.__main__ import cli
from mutmut.mutation import mutators


def operator_remove_unary_ops(node: cst.UnaryOperation) -> Iterable[cst.BaseExpression]:
    """``not x`` → ``x`` and ``~x`` → ``x``, with the parentheses around ``not x`` kept."""
    if isinstance(node.operator, cst.Not | cst.BitInvert):
        operand = node.expression
        yield operand.with_changes(
            lpar=[*node.lpar, *operand.lpar], rpar=[*operand.rpar, *node.rpar]
        )


def patch_operators() -> None:
    # The list itself (declared a Sequence) is changed in place: mutmut's file_mutation module
    # holds a reference to it.
    operators = cast(list[Any], mutators.mutation_operators)
    for index, (node_type, operator) in enumerate(operators):
        if operator is mutators.operator_remove_unary_ops:
            operators[index] = (node_type, operator_remove_unary_ops)


if __name__ == "__main__":
    patch_operators()
    sys.exit(cli())
