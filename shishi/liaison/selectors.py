"""Reads for 联户: coverage per community (全覆盖) and who is left out."""

from django.db.models import Count, Exists, OuterRef, Q

from shishi.org.models import Unit

from .models import Household, LiaisonMember, Pairing


def _paired():
    return Pairing.objects.filter(household=OuterRef("pk"), ended_on__isnull=True)


def unpaired_households(community: Unit):
    """Households of `community` that no member looks after now."""
    return Household.objects.filter(community=community).filter(~Exists(_paired()))


def community_coverage() -> list[dict]:
    """Per community with households or members: households, paired, unpaired,
    members; communities with unpaired households first."""
    counts = {
        row["community"]: row
        for row in Household.objects.annotate(is_paired=Exists(_paired()))
        .values("community")
        .annotate(households=Count("pk"), paired=Count("pk", filter=Q(is_paired=True)))
    }
    members = dict(
        LiaisonMember.objects.values("community")
        .annotate(n=Count("pk"))
        .values_list("community", "n")
    )
    units = Unit.objects.in_bulk(set(counts) | set(members))
    rows = []
    for pk, unit in units.items():
        households = counts.get(pk, {}).get("households", 0)
        paired = counts.get(pk, {}).get("paired", 0)
        rows.append(
            {
                "community": unit,
                "households": households,
                "paired": paired,
                "unpaired": households - paired,
                "members": members.get(pk, 0),
            }
        )
    rows.sort(key=lambda r: (-r["unpaired"], r["community"].name))
    return rows
