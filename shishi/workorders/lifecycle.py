"""The work order lifecycle (接诉即办), in one table:

dispatched (待签收) → signed (办理中) → replied (待审核) → closed (已办结);
the centre sends a reply back (→ signed) or accepts it (→ closed);
a unit returns an order (退单, → returned) and the centre re-dispatches it
(转派, → reassigned: a new order takes over); extension requests keep the
order in hand; a dissatisfied follow-up sends a closed order back to the same
unit (重办, → signed); the centre may cancel an order still in hand.
"""

from django.utils.translation import gettext_lazy as _

from shishi.core.lifecycle import Transition, transition_table

from .models import OrderStatus as S

ORDER_TRANSITIONS = transition_table(
    Transition("sign", _("sign for"), frozenset({S.DISPATCHED}), S.SIGNED),
    Transition("note", _("add a handling note to"), frozenset({S.SIGNED}), S.SIGNED),
    Transition("reply", _("reply to"), frozenset({S.SIGNED}), S.REPLIED),
    Transition("return", _("return"), frozenset({S.DISPATCHED, S.SIGNED}), S.RETURNED),
    Transition("extend", _("ask for an extension of"), frozenset({S.SIGNED}), S.SIGNED),
    Transition("decide_extension", _("decide an extension of"), frozenset({S.SIGNED}), S.SIGNED),
    Transition("accept", _("accept the reply of"), frozenset({S.REPLIED}), S.CLOSED),
    Transition("send_back", _("send back"), frozenset({S.REPLIED}), S.SIGNED),
    # 转派 only through the centre: the order ends, a new one takes over.
    Transition(
        "reassign", _("re-dispatch"), frozenset({S.DISPATCHED, S.SIGNED, S.RETURNED}), S.REASSIGNED
    ),
    Transition("rehandle", _("re-handle"), frozenset({S.CLOSED}), S.SIGNED),
    Transition(
        "cancel",
        _("cancel"),
        frozenset({S.DISPATCHED, S.SIGNED, S.REPLIED, S.RETURNED}),
        S.CANCELLED,
    ),
)
