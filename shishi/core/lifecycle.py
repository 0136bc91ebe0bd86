"""The small state-machine kit that every lifecycle (appeals, ledger items) uses:
a table of named transitions, one check that explains a refusal, and one way
to save a change so its history records who did it and why."""

from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext as _


@dataclass(frozen=True)
class Transition:
    name: str
    label: str  # a verb phrase for messages, translatable
    sources: frozenset[str]
    target: str | None  # None: the target depends on the object (resume, reopen)


def transition_table(*transitions: Transition) -> dict[str, Transition]:
    return {t.name: t for t in transitions}


def check_transition(
    table: dict[str, Transition], name: str, obj: models.Model, status_choices
) -> Transition:
    """Refuse an action the object's current status does not allow, saying why."""
    transition = table[name]
    labels = dict(status_choices)
    if obj.status not in transition.sources:
        allowed = "、".join(str(labels[s]) for s in _ordered(transition.sources, labels))
        raise ValidationError(
            _(
                "Cannot %(action)s “%(object)s”: its status is “%(status)s”; allowed only when %(allowed)s."
            )
            % {
                "action": transition.label,
                "object": obj,
                "status": labels[obj.status],
                "allowed": allowed,
            },
            code="invalid_transition",
        )
    return transition


def _ordered(sources: Iterable[str], labels: dict) -> list[str]:
    order = list(labels)
    return sorted(sources, key=order.index)


def save_with_history(obj: models.Model, *, actor, reason: str = "", **save_kwargs) -> None:
    """Save and let django-simple-history record who changed it and why."""
    obj._history_user = actor
    obj._change_reason = reason[:100] if reason else ""
    obj.save(**save_kwargs)


def _text(value, *, field: str, max_length: int, label: str) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ValidationError({field: _("%(field)s must be text.") % {"field": label}})
    if "\x00" in value:
        # PostgreSQL refuses NUL characters; name the field rather than fail later.
        raise ValidationError({field: _("%(field)s holds a NUL character.") % {"field": label}})
    value = value.strip()
    if len(value) > max_length:
        raise ValidationError(
            {
                field: _("%(field)s is too long: %(length)d characters, at most %(max)d.")
                % {"field": label, "length": len(value), "max": max_length}
            }
        )
    return value


def require_text(value: str, *, field: str, max_length: int, label: str) -> str:
    """Strip and check a required text field; errors name the field."""
    value = _text(value, field=field, max_length=max_length, label=label)
    if not value:
        raise ValidationError({field: _("%(field)s must not be empty.") % {"field": label}})
    return value


def optional_text(value: str, *, field: str, max_length: int, label: str) -> str:
    """Strip and check an optional text field; errors name the field."""
    return _text(value, field=field, max_length=max_length, label=label)
