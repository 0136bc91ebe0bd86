"""The appeal lifecycle: received → triaged → accepted | answered | rejected → closed;
or dispatched as a work order → answered when it closes."""

from django.utils.translation import gettext_lazy as _

from shishi.core.lifecycle import Transition, transition_table

from .models import AppealStatus as S

APPEAL_TRANSITIONS = transition_table(
    Transition("triage", _("triage"), frozenset({S.RECEIVED, S.TRIAGED}), S.TRIAGED),
    Transition("accept", _("accept into an item"), frozenset({S.RECEIVED, S.TRIAGED}), S.ACCEPTED),
    Transition("answer", _("answer"), frozenset({S.RECEIVED, S.TRIAGED}), S.ANSWERED),
    Transition("reject", _("reject"), frozenset({S.RECEIVED, S.TRIAGED}), S.REJECTED),
    # An accepted appeal closes only with its item's settlement (see ledger services).
    Transition("close", _("close"), frozenset({S.ANSWERED, S.REJECTED}), S.CLOSED),
    Transition("close_with_item", _("close"), frozenset({S.ACCEPTED}), S.CLOSED),
    Transition("reopen_with_item", _("reopen"), frozenset({S.CLOSED}), S.ACCEPTED),
    # A work order (shishi.workorders) carries the appeal: dispatched, answered
    # when the order closes, back with the unit when a follow-up sends it back
    # (重办), back to the queue when the order is cancelled.
    Transition("dispatch", _("dispatch"), frozenset({S.RECEIVED, S.TRIAGED}), S.DISPATCHED),
    Transition("answer_by_order", _("answer"), frozenset({S.DISPATCHED}), S.ANSWERED),
    Transition("rehandle", _("re-handle"), frozenset({S.ANSWERED}), S.DISPATCHED),
    Transition("recall", _("recall from its unit"), frozenset({S.DISPATCHED}), S.TRIAGED),
    Transition("release_from_item", _("release from its item"), frozenset({S.ACCEPTED}), S.TRIAGED),
    # A clerk takes one appeal out of the item it was merged into by mistake.
    Transition("release", _("release from its item"), frozenset({S.ACCEPTED}), S.TRIAGED),
)
