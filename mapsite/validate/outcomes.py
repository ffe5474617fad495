"""What the deal is for and what could stop it: success criteria and risks."""

from __future__ import annotations

from collections.abc import Mapping

from mapsite.model.deal import (
    CRITERION_SIDES,
    LEVELS,
    RISK_STATUSES,
    Criterion,
    Risk,
)
from mapsite.read.fields import FieldReader
from mapsite.read.yaml import YamlMap
from mapsite.validate.people import read_owner

CRITERION_KEYS = ("side", "metric", "current", "target", "by")


RISK_KEYS = ("risk", "probability", "impact", "mitigation", "owner", "status")


def read_criteria(reader: FieldReader, data: YamlMap) -> tuple[Criterion, ...]:
    result = []
    for entry, line in reader.items(data, "success_criteria", "the deal"):
        if not isinstance(entry, YamlMap):
            reader.error(line, "each success criterion must be {side, metric, target, ...}")
            continue
        where = "a success criterion"
        reader.unknown_keys(entry, CRITERION_KEYS, where)
        side = reader.choice(entry, "side", where, CRITERION_SIDES, None, required=True)
        metric = reader.text(entry, "metric", where, required=True)
        target = reader.text(entry, "target", where, required=True)
        by = reader.iso_date(entry, "by", where)
        if side and metric and target:
            result.append(
                Criterion(
                    side=side,
                    metric=metric,
                    target=target,
                    current=reader.text(entry, "current", where),
                    by=by,
                )
            )
    return tuple(result)


def read_risks(reader: FieldReader, data: YamlMap, people: Mapping[str, str]) -> tuple[Risk, ...]:
    result = []
    for entry, line in reader.items(data, "risks", "the deal"):
        if not isinstance(entry, YamlMap):
            reader.error(line, "each risk must be {risk, probability, impact, ...}")
            continue
        text = reader.text(entry, "risk", "a risk", required=True)
        where = f"risk '{text}'" if text else "a risk"
        reader.unknown_keys(entry, RISK_KEYS, where)
        probability = reader.choice(entry, "probability", where, LEVELS, None, required=True)
        impact = reader.choice(entry, "impact", where, LEVELS, None, required=True)
        owner = read_owner(reader, entry, where, people)
        status = reader.choice(entry, "status", where, RISK_STATUSES, "open") or "open"
        if text and probability and impact:
            result.append(
                Risk(
                    risk=text,
                    probability=probability,
                    impact=impact,
                    mitigation=reader.text(entry, "mitigation", where),
                    owner=owner,
                    status=status,
                )
            )
    return tuple(result)
