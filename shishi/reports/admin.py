"""The summary's wording in the admin: administrators edit the words, the
figures stay placeholders filled in from the ledger. A preview shows the
wording with today's figures."""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from shishi.core.admin import ShishiHistoryAdmin

from .models import PLACEHOLDERS, SummaryTemplate
from .services import summary_template_save
from .summary import DEFAULT_BODY, DEFAULT_TITLE, summary_wording_preview


class SummaryTemplateForm(forms.ModelForm):
    class Meta:
        model = SummaryTemplate
        fields = ["title", "body", "is_active"]
        widgets = {
            "title": forms.TextInput(attrs={"size": 80}),
            "body": forms.Textarea(attrs={"rows": 18, "cols": 100}),
        }


@admin.register(SummaryTemplate)
class SummaryTemplateAdmin(ShishiHistoryAdmin):
    form = SummaryTemplateForm
    list_display = ["title", "is_active"]
    fields = ["title", "body", "is_active", "placeholders", "preview"]
    readonly_fields = ["placeholders", "preview"]

    def get_changeform_initial_data(self, request):
        # A new wording starts from the built-in one.
        return {
            "title": DEFAULT_TITLE,
            "body": DEFAULT_BODY,
            **super().get_changeform_initial_data(request),
        }

    @admin.display(description=_("placeholders"))
    def placeholders(self, template: SummaryTemplate | None = None):
        return format_html(
            "<ul>{}</ul>",
            format_html_join("", "<li><code>{{{}}}</code> {}</li>", PLACEHOLDERS.items()),
        )

    @admin.display(description=_("preview with today's figures"))
    def preview(self, template: SummaryTemplate):
        if template is None or template.pk is None:
            return _("Shown once the wording is saved.")
        try:
            title, paragraphs = summary_wording_preview(template)
        except ValidationError as error:  # saved under another version's placeholders
            return " ".join(error.messages)
        return format_html(
            "<strong>{}</strong>{}",
            title,
            format_html_join("", "<p>{}</p>", ((p,) for p in paragraphs)),
        )

    def save_model(self, request, obj, form, change):
        summary_template_save(template=obj, actor=request.user, reason="edited in admin")
