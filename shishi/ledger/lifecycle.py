"""The ledger item lifecycle, in one table:

draft → open (建账) → claimed (领账) → in progress → awaiting verification →
settled (清账); reopen with a reason; suspend/resume; cancel with a reason.
"""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from shishi.core.lifecycle import Transition, transition_table

from .models import ItemStatus as S

ITEM_TRANSITIONS = transition_table(
    Transition("open", pgettext_lazy("action", "open"), frozenset({S.DRAFT}), S.OPEN),
    Transition("claim", _("claim"), frozenset({S.OPEN}), S.CLAIMED),
    Transition("start", _("start work on"), frozenset({S.CLAIMED}), S.IN_PROGRESS),
    Transition(
        "report", _("report progress on"), frozenset({S.CLAIMED, S.IN_PROGRESS}), S.IN_PROGRESS
    ),
    Transition(
        "submit", _("submit for verification"), frozenset({S.IN_PROGRESS}), S.AWAITING_VERIFICATION
    ),
    Transition("send_back", _("send back"), frozenset({S.AWAITING_VERIFICATION}), S.IN_PROGRESS),
    Transition("settle", _("settle"), frozenset({S.AWAITING_VERIFICATION}), S.SETTLED),
    # 现场解决: a problem solved where it was found is settled at once.
    Transition(
        "settle_on_spot",
        _("settle on the spot"),
        frozenset({S.OPEN, S.CLAIMED, S.IN_PROGRESS}),
        S.SETTLED,
    ),
    # Reopening goes back to work if someone owns it, else back to the open ledger.
    Transition("reopen", _("reopen"), frozenset({S.SETTLED, S.CANCELLED}), None),
    Transition("suspend", _("suspend"), frozenset({S.OPEN, S.CLAIMED, S.IN_PROGRESS}), S.SUSPENDED),
    Transition("resume", _("resume"), frozenset({S.SUSPENDED}), None),
    Transition(
        "cancel",
        _("cancel"),
        frozenset(
            {S.DRAFT, S.OPEN, S.CLAIMED, S.IN_PROGRESS, S.SUSPENDED, S.AWAITING_VERIFICATION}
        ),
        S.CANCELLED,
    ),
)
