"""Resolving relative dates and checking that the plan's order of work is possible.

Reps plan backwards from close (``close - 8bd``) and chain milestones (``poc-scope + 3bd``).
This module turns those expressions into dates in dependency order, and reports unknown anchors,
cycles and milestones due before the work they depend on.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from mapsite.model.dates import Calendar, DateExpr
from mapsite.read.fields import closest

ReportError = Callable[[int, str, "str | None"], None]


@dataclass(frozen=True)
class Dated:
    """A date expression with the line it was written on, keyed by anchor name when it is one."""

    expr: DateExpr
    line: int


def resolve_dates(
    anchors: Mapping[str, Dated],
    calendar: Calendar,
    report: ReportError,
    broken: frozenset[str] = frozenset(),
) -> dict[str, dt.date]:
    """Resolve every anchor (``close``, ``go_live``, milestone ids) to a date.

    Anchors that cannot be resolved (unknown anchor, cycle) are left out of the result after
    being reported once; anything depending on them, or on a ``broken`` anchor whose own date
    was already reported as invalid, is skipped silently so one mistake yields one message.
    """
    resolved: dict[str, dt.date] = {}
    failed: set[str] = set(broken)

    for start in anchors:
        if start in resolved or start in failed:
            continue
        # Iterative depth-first walk: chains of relative dates can be long.
        path: list[str] = [start]
        while path:
            name = path[-1]
            item = anchors[name]
            target = item.expr.anchor
            if item.expr.on is not None:
                resolved[name] = item.expr.on
                path.pop()
                continue
            if target in resolved:
                resolved[name] = item.expr.apply(resolved[target], calendar)
                path.pop()
                continue
            if target in failed:
                failed.add(name)
                path.pop()
                continue
            if target is None or target not in anchors:  # None: an expression has a date or an anchor
                report(item.line, unknown_anchor_message(item.expr, anchors), None)
                failed.add(name)
                path.pop()
                continue
            if target in path:
                cycle = [*path[path.index(target) :], target]
                report(
                    anchors[target].line,
                    "relative dates form a cycle: " + " -> ".join(cycle),
                    "give one of these an ISO date or anchor it on close",
                )
                failed.update(cycle)
                for member in cycle:
                    if member in path:
                        path.remove(member)
                continue
            path.append(target)
    return resolved


def unknown_anchor_message(expr: DateExpr, known: Mapping[str, object] | list[str]) -> str:
    close = closest(expr.anchor or "", known)
    suggestion = f"; did you mean '{close}'?" if close else ""
    return (
        f"the date '{expr.text}' refers to '{expr.anchor}', which is neither close, go_live "
        f"nor a milestone id{suggestion}"
    )


def dependency_cycles(depends: Mapping[str, tuple[str, ...]]) -> list[list[str]]:
    """Cycles in ``depends_on`` (each reported once, as the path that closes it)."""
    state: dict[str, int] = {}
    cycles: list[list[str]] = []
    for start in depends:
        if state.get(start):
            continue
        stack: list[tuple[str, int]] = [(start, 0)]
        trail: list[str] = []
        while stack:
            node, index = stack.pop()
            if index == 0:
                state[node] = 1
                trail.append(node)
            children = [c for c in depends.get(node, ()) if c in depends]
            if index < len(children):
                stack.append((node, index + 1))
                child = children[index]
                if state.get(child) == 1:
                    cycles.append([*trail[trail.index(child) :], child])
                elif not state.get(child):
                    stack.append((child, 0))
            else:
                state[node] = 2
                trail.pop()
    return cycles


def transitive_dependencies(milestone_id: str, depends: Mapping[str, tuple[str, ...]]) -> set[str]:
    """Every milestone that must finish before ``milestone_id`` (cycle-safe)."""
    seen: set[str] = set()
    todo = list(depends.get(milestone_id, ()))
    while todo:
        current = todo.pop()
        if current in seen:
            continue
        seen.add(current)
        todo.extend(depends.get(current, ()))
    return seen
