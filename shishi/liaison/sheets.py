"""A community's household list from Excel or CSV (地址, 户主, 联户党员):
every row checked first, errors named by file, row and column, and then the
whole list stored through `households_register_bulk`, or nothing."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from shishi.org.models import Unit
from shishi.sheets.results import ImportRefused, RowError
from shishi.sheets.tables import open_table

from .models import Household, LiaisonMember
from .services import household_clean, households_register_bulk

ADDRESS, HEAD, MEMBER = "地址", "户主", "联户党员"
MAX_ERRORS_SHOWN = 20


def _text(value) -> str:
    return "" if value is None else str(value).strip()


def households_import(*, community: Unit, file, name: str, paired_on: dt.date, actor) -> int:
    """Import the households of `community`; returns how many were stored.
    Raises ValidationError listing what is wrong (nothing stored)."""
    members = {m.name: m for m in LiaisonMember.objects.filter(community=community)}
    existing = set(Household.objects.filter(community=community).values_list("address", flat=True))
    rows, errors, seen = [], [], {}
    try:
        with open_table(file, name=name, expect=[ADDRESS]) as table:
            column = {header: i for i, header in enumerate(table.headers)}
            for number, values in table.rows():
                address = _text(values[column[ADDRESS]])
                head = _text(values[column[HEAD]]) if HEAD in column else ""
                member_name = _text(values[column[MEMBER]]) if MEMBER in column else ""
                try:
                    household_clean(community=community, address=address, head=head)
                except ValidationError as error:
                    for field, messages in error.message_dict.items():
                        header = HEAD if field == "head" else ADDRESS
                        errors += [RowError(number, header, address, m) for m in messages]
                    continue
                if address in seen:
                    errors.append(
                        RowError(
                            number,
                            ADDRESS,
                            address,
                            _("listed already in row %(row)d.") % {"row": seen[address]},
                        )
                    )
                    continue
                seen[address] = number
                if address in existing:
                    errors.append(
                        RowError(number, ADDRESS, address, _("already a household here."))
                    )
                    continue
                member = None
                if member_name:
                    member = members.get(member_name)
                    if member is None:
                        errors.append(
                            RowError(
                                number,
                                MEMBER,
                                member_name,
                                _("no liaison member of this name in %(community)s.")
                                % {"community": community},
                            )
                        )
                        continue
                rows.append({"address": address, "head": head, "member": member})
    except ImportRefused as refused:
        raise ValidationError(str(refused)) from None
    if errors:
        shown = [f"{name} {e}" for e in errors[:MAX_ERRORS_SHOWN]]
        if len(errors) > MAX_ERRORS_SHOWN:
            shown.append(_("… and %(n)d more.") % {"n": len(errors) - MAX_ERRORS_SHOWN})
        raise ValidationError(shown)
    if not rows:
        raise ValidationError(_("%(file)s holds no households.") % {"file": name})
    return len(
        households_register_bulk(community=community, rows=rows, paired_on=paired_on, actor=actor)
    )
