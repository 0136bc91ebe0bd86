from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError

from .mappings import mapping_from_json
from .models import ImportMapping


class ImportMappingForm(forms.ModelForm):
    class Meta:
        model = ImportMapping
        fields = ["name", "description", "columns", "defaults"]

    def clean(self):
        cleaned = super().clean()
        if "columns" in cleaned and "defaults" in cleaned:
            try:
                mapping_from_json(
                    cleaned.get("name"), cleaned["columns"], cleaned["defaults"] or {}
                )
            except ValidationError as err:
                for field, messages in err.message_dict.items():
                    self.add_error(field if field in self.fields else None, messages)
        return cleaned


@admin.register(ImportMapping)
class ImportMappingAdmin(admin.ModelAdmin):
    """Saved column mappings for appeal imports. Deleting one only makes its
    name unavailable (or brings back the built-in of the same name)."""

    form = ImportMappingForm
    list_display = ["name", "description", "updated_at"]
    search_fields = ["name", "description"]
