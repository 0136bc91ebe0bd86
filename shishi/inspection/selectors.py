"""Reads for 巡回指导: the coverage of the participating units by round."""

from shishi.org.models import Unit

from .models import InspectionRound, PlanEntry, Visit


def coverage() -> tuple[list[InspectionRound], list[dict]]:
    """Every participating unit (and any other unit planned) against every
    round: planned for which group, visited or not. Missed units first."""
    rounds = list(InspectionRound.objects.order_by("number"))
    planned = {
        (e.round_id, e.unit_id): e.group.name for e in PlanEntry.objects.select_related("group")
    }
    visited = set(Visit.objects.values_list("plan__round_id", "plan__unit_id").distinct())
    unit_ids = {unit_id for _round, unit_id in planned}
    units = Unit.objects.filter(pk__in=unit_ids) | Unit.objects.participating()
    rows = []
    for unit in units.distinct().order_by("kind", "name"):
        cells = [
            {
                "round": r,
                "group": planned.get((r.pk, unit.pk), ""),
                "visited": (r.pk, unit.pk) in visited,
            }
            for r in rounds
        ]
        rows.append({"unit": unit, "cells": cells, "complete": all(c["visited"] for c in cells)})
    rows.sort(key=lambda row: row["complete"])
    return rounds, rows
