"""The actions on one item page, in one table: who is offered each one, in which
statuses, with which form, and which ledger service it calls. The page offers
an action only when the person has the right and the item's status allows it
(the sources of the lifecycle's transition); the service checks both again."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from shishi.ledger import permissions, services
from shishi.ledger.lifecycle import ITEM_TRANSITIONS
from shishi.ledger.models import ItemStatus, LedgerItem

from . import forms as dispatch_forms


@dataclass(frozen=True)
class ItemAction:
    name: str  # the URL name (dispatch:<name>) and, but for follow-up, the transition
    heading: Promise
    button: Promise
    form_class: type[forms.Form]
    permitted: Callable[[Any, LedgerItem], bool]  # the person's right, whatever the status
    perform: Callable[[LedgerItem, Any, dict], Any]  # (item, actor, cleaned data)
    done: Promise  # the success message, with %(item)s
    style: str = "button"
    multipart: bool = False
    initial: Callable[[LedgerItem], dict] | None = None

    @property
    def url_name(self) -> str:
        return f"dispatch:{self.name}"

    def status_allows(self, item: LedgerItem) -> bool:
        if self.name == "followup":
            return item.status == ItemStatus.SETTLED
        if self.name == "claim" and item.owner_id is not None:
            return False
        return item.status in ITEM_TRANSITIONS[self.name].sources

    def offered(self, user, item: LedgerItem) -> bool:
        return self.status_allows(item) and self.permitted(user, item)


def _settle(item, actor, data):
    return services.item_settle(
        item=item, actor=actor, evidence=data["evidence"], files=data["files"]
    )


def _followup(item, actor, data):
    return services.followup_record(
        item=item, actor=actor, result=data["result"], note=data["note"], reopen=data["reopen"]
    )


ACTIONS: dict[str, ItemAction] = {
    action.name: action
    for action in [
        ItemAction(
            name="open",
            heading=_("Open the item"),
            button=_("Open it on the public ledger"),
            form_class=dispatch_forms.ConfirmForm,
            permitted=lambda user, item: permissions.can_open(user, item.kind),
            perform=lambda item, actor, data: services.item_open(item=item, actor=actor),
            done=_("“%(item)s” is open and on the public ledger."),
        ),
        ItemAction(
            name="claim",
            heading=_("Claim the item"),
            button=_("Claim it"),
            form_class=dispatch_forms.ClaimForm,
            permitted=lambda user, item: permissions.can_claim(user),
            perform=lambda item, actor, data: services.item_claim(
                item=item, actor=actor, lead_unit=data["lead_unit"]
            ),
            done=_("You have claimed “%(item)s”."),
            # The unit the clerk proposed, if any, is the likely choice.
            initial=lambda item: {"lead_unit": item.lead_unit_id},
        ),
        ItemAction(
            name="submit",
            heading=_("Submit for verification"),
            button=_("Submit for verification"),
            form_class=dispatch_forms.NoteForm,
            permitted=permissions.can_report,
            perform=lambda item, actor, data: services.item_submit_for_verification(
                item=item, actor=actor, note=data["note"]
            ),
            done=_("“%(item)s” is submitted for verification."),
        ),
        ItemAction(
            name="settle",
            heading=_("Settle the item"),
            button=_("Settle it"),
            form_class=dispatch_forms.SettleForm,
            permitted=permissions.can_verify,
            perform=_settle,
            done=_("“%(item)s” is settled."),
            multipart=True,
        ),
        ItemAction(
            name="send_back",
            heading=_("Send back"),
            button=_("Send it back"),
            form_class=dispatch_forms.SendBackForm,
            permitted=permissions.can_verify,
            perform=lambda item, actor, data: services.item_send_back(
                item=item, actor=actor, note=data["note"]
            ),
            done=_("“%(item)s” is sent back to its lead unit."),
            style="button button-secondary",
        ),
        ItemAction(
            name="followup",
            heading=_("Record a follow-up"),
            button=_("Record the follow-up"),
            form_class=dispatch_forms.FollowUpForm,
            permitted=lambda user, item: permissions.can_record_followup(user),
            perform=_followup,
            done=_("The follow-up on “%(item)s” is recorded."),
        ),
        ItemAction(
            name="resume",
            heading=_("Resume"),
            button=_("Resume the work"),
            form_class=dispatch_forms.NoteForm,
            permitted=lambda user, item: permissions.can_manage(user),
            perform=lambda item, actor, data: services.item_resume(
                item=item, actor=actor, note=data["note"]
            ),
            done=_("“%(item)s” is resumed."),
        ),
        ItemAction(
            name="reopen",
            heading=_("Reopen"),
            button=_("Reopen the item"),
            form_class=dispatch_forms.ReasonForm,
            permitted=lambda user, item: permissions.can_manage(user),
            perform=lambda item, actor, data: services.item_reopen(
                item=item, actor=actor, reason=data["reason"]
            ),
            done=_("“%(item)s” is reopened."),
            style="button button-secondary",
        ),
        ItemAction(
            name="suspend",
            heading=_("Suspend"),
            button=_("Suspend the item"),
            form_class=dispatch_forms.ReasonForm,
            permitted=lambda user, item: permissions.can_manage(user),
            perform=lambda item, actor, data: services.item_suspend(
                item=item, actor=actor, reason=data["reason"]
            ),
            done=_("“%(item)s” is suspended."),
            style="button button-secondary",
        ),
        ItemAction(
            name="cancel",
            heading=_("Cancel"),
            button=_("Cancel the item"),
            form_class=dispatch_forms.ReasonForm,
            permitted=lambda user, item: permissions.can_manage(user),
            perform=lambda item, actor, data: services.item_cancel(
                item=item, actor=actor, reason=data["reason"]
            ),
            done=_("“%(item)s” is cancelled."),
            style="button button-danger",
        ),
    ]
}


def new_form(action: ItemAction, *args, item: LedgerItem | None = None, **kwargs) -> forms.Form:
    """The action's form: unbound for `item` (with its initial values), or bound."""
    if item is not None and action.initial is not None:
        kwargs["initial"] = action.initial(item)
    # Several forms share field names (note, reason) on one page: ids stay unique.
    kwargs.setdefault("auto_id", f"{action.name}-%s")
    return action.form_class(*args, **kwargs)
