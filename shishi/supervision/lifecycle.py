"""The supervision order lifecycle, in one table:

issued → answered (the unit or the item's owner answers) → closed (the
supervisor accepts the answer); answered → issued (sent back with a reason);
issued → closed (the supervisor closes it without an answer, with a reason,
e.g. the item was settled or cancelled meanwhile).
"""

from django.utils.translation import gettext_lazy as _

from shishi.core.lifecycle import Transition, transition_table

from .models import OrderStatus as S

ORDER_TRANSITIONS = transition_table(
    Transition("answer", _("answer"), frozenset({S.ISSUED}), S.ANSWERED),
    Transition("send_back", _("send back"), frozenset({S.ANSWERED}), S.ISSUED),
    Transition("close", _("close"), frozenset({S.ISSUED, S.ANSWERED}), S.CLOSED),
)
