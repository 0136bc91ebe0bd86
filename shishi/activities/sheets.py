"""A lecture list from Excel or CSV (日期, 宣讲人, 题目, 单位, 地点, 受众人次):
each row checked by the rules of one lecture, errors named by file, row and
column, and then the list stored through `lectures_record_bulk`, or nothing."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from shishi.org.models import Unit
from shishi.sheets.results import ImportRefused, RowError
from shishi.sheets.tables import open_table

from .models import Speaker
from .services import lecture_clean, lectures_record_bulk

DATE, SPEAKER, TITLE, UNIT, PLACE, ATTENDANCE = "日期", "宣讲人", "题目", "单位", "地点", "受众人次"
REQUIRED = (DATE, SPEAKER, TITLE, UNIT, ATTENDANCE)
FIELD_COLUMNS = {
    "held_on": DATE,
    "speaker": SPEAKER,
    "title": TITLE,
    "unit": UNIT,
    "attendance": ATTENDANCE,
    "place": PLACE,
}
MAX_ERRORS_SHOWN = 20


def _text(value) -> str:
    return "" if value is None else str(value).strip()


def _date(value) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = _text(value).replace("/", "-").replace(".", "-")
    try:
        return dt.date.fromisoformat("-".join(part.zfill(2) for part in text.split("-")))
    except ValueError:
        return None


def lectures_import(*, file, name: str, actor) -> int:
    """Import a lecture list; returns how many lectures were stored. Speakers
    and units are matched by name. Raises ValidationError (nothing stored)."""
    speakers: dict[str, list[Speaker]] = {}
    for speaker in Speaker.objects.all():
        speakers.setdefault(speaker.name, []).append(speaker)
    units = {u.name: u for u in Unit.objects.active()}
    rows, errors = [], []
    try:
        with open_table(file, name=name, expect=REQUIRED) as table:
            column = {header: i for i, header in enumerate(table.headers)}
            for number, values in table.rows():
                cell = {h: values[i] for h, i in column.items()}
                held_on = _date(cell[DATE])
                if held_on is None:
                    errors.append(
                        RowError(
                            number, DATE, _text(cell[DATE]), _("not a date (write 2021-05-01).")
                        )
                    )
                    continue
                found = speakers.get(_text(cell[SPEAKER]), [])
                if len(found) != 1:
                    message = (
                        _("no speaker of this name.")
                        if not found
                        else _("several speakers have this name.")
                    )
                    errors.append(RowError(number, SPEAKER, _text(cell[SPEAKER]), message))
                    continue
                unit = units.get(_text(cell[UNIT]))
                if unit is None:
                    errors.append(
                        RowError(number, UNIT, _text(cell[UNIT]), _("no unit of this name."))
                    )
                    continue
                fields = {
                    "speaker": found[0],
                    "title": _text(cell[TITLE]),
                    "held_on": held_on,
                    "unit": unit,
                    "place": _text(cell.get(PLACE)),
                    "attendance": _text(cell[ATTENDANCE]),
                }
                try:
                    lecture_clean(**fields)
                except ValidationError as error:
                    for field, messages in error.message_dict.items():
                        header = FIELD_COLUMNS.get(field, "")
                        errors += [
                            RowError(number, header, _text(cell.get(header)), m) for m in messages
                        ]
                    continue
                rows.append(fields)
    except ImportRefused as refused:
        raise ValidationError(str(refused)) from None
    if errors:
        shown = [f"{name} {e}" for e in errors[:MAX_ERRORS_SHOWN]]
        if len(errors) > MAX_ERRORS_SHOWN:
            shown.append(_("… and %(n)d more.") % {"n": len(errors) - MAX_ERRORS_SHOWN})
        raise ValidationError(shown)
    if not rows:
        raise ValidationError(_("%(file)s holds no lectures.") % {"file": name})
    return len(lectures_record_bulk(lectures=rows, actor=actor))
