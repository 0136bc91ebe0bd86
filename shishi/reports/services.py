"""Writes of the reports app: the summary's wording."""

from django.db import transaction

from shishi.core.lifecycle import save_with_history

from .models import SummaryTemplate


@transaction.atomic
def summary_template_save(*, template: SummaryTemplate, actor, reason: str = "") -> None:
    """Save a wording (checked: only known placeholders). Putting it in use
    takes the one in use out, in the same transaction, with history for both."""
    template.full_clean()
    if template.is_active:
        others = SummaryTemplate.objects.select_for_update().filter(is_active=True)
        for other in others.exclude(pk=template.pk):
            other.is_active = False
            save_with_history(other, actor=actor, reason=reason, update_fields=["is_active"])
    save_with_history(template, actor=actor, reason=reason)
