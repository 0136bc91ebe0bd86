"""Who may do what with programmes and their records. Services call the
require_* helpers before writing; views use the can_* ones to decide what to
show."""

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from shishi.ledger import permissions as ledger_permissions
from shishi.ledger.models import ItemKind


def can_view(user) -> bool:
    """Staff who see the ledger see programmes and their records."""
    return user.is_authenticated and user.is_active and user.has_perm("ledger.view_ledgeritem")


def can_manage(user) -> bool:
    """Set up programmes, the claims network, questionnaires and computed targets."""
    return user.is_active and user.has_perm("programmes.change_programme")


def can_record_enterprise_visit(user) -> bool:
    # Whoever may open enterprise-problem items records the visits that find them.
    return ledger_permissions.can_open(user, ItemKind.ENTERPRISE_PROBLEM)


def can_apply_claim(user) -> bool:
    return ledger_permissions.can_open(user, ItemKind.CLAIM)


def can_record_collection(user) -> bool:
    """Questionnaire responses and household visits: whoever records collection events."""
    return user.is_active and user.has_perm("intake.add_collectionevent")


def can_import(user, model_name: str) -> bool:
    """The catalogue and the asset register: given in the admin (add_serviceitem, add_asset)."""
    return user.is_active and user.has_perm(f"programmes.add_{model_name}")


def require(allowed: bool, message: str) -> None:
    if not allowed:
        raise PermissionDenied(message)


def require_manage(user) -> None:
    require(can_manage(user), _("Only an administrator of programmes may do this."))


def require_enterprise_visit(user) -> None:
    require(
        can_record_enterprise_visit(user),
        _("You may not record enterprise visits or their problems."),
    )


def require_claim_apply(user) -> None:
    require(can_apply_claim(user), _("You may not register claim applications."))


def require_collection(user) -> None:
    require(
        can_record_collection(user),
        _("You may not record questionnaire responses or household visits."),
    )


def require_import(user, model_name: str) -> None:
    require(can_import(user, model_name), _("You may not import this register."))
