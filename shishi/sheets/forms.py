from django import forms
from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shishi.intake.models import Channel

from .mappings import TARGETS, mapping_from_json
from .models import ImportKind, ImportMapping

SPREADSHEET_SUFFIXES = (".xlsx", ".csv")


class UploadForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("What the file holds"), widget=forms.RadioSelect)
    file = forms.FileField(
        label=gettext_lazy("File"),
        help_text=gettext_lazy(
            "An Excel workbook (.xlsx) or a CSV file (UTF-8 or GBK), with the column names in "
            "the first row (title rows above them are fine for ledger sheets)."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ",".join(SPREADSHEET_SUFFIXES)}),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        choices = []
        if user.has_perm("sheets.import_appeals"):
            choices.append((ImportKind.APPEALS, ImportKind.APPEALS.label))
        if user.has_perm("sheets.import_items"):
            choices.append((ImportKind.ITEMS, ImportKind.ITEMS.label))
        self.fields["kind"].choices = choices
        if choices:
            self.fields["kind"].initial = choices[0][0]

    def clean_file(self):
        upload = self.cleaned_data["file"]
        name = upload.name or ""
        limit = settings.SHISHI_IMPORT_MAX_BYTES
        if upload.size > limit:
            raise forms.ValidationError(
                _(
                    "“%(name)s” is %(size)d MB; files up to %(max)d MB can be imported here. "
                    "Split it, or import it on the server with `shishi import`."
                )
                % {"name": name, "size": upload.size // 2**20, "max": limit // 2**20}
            )
        if not name.lower().endswith(SPREADSHEET_SUFFIXES):
            raise forms.ValidationError(
                _("“%(name)s” is not an .xlsx or .csv file.") % {"name": name}
            )
        if upload.size == 0:
            raise forms.ValidationError(_("“%(name)s” is empty.") % {"name": name})
        return upload


class ColumnsForm(forms.Form):
    """Which of a file's columns feed which appeal fields: a saved mapping, or
    one column per field chosen here."""

    def __init__(self, *args, headers: list[str], mappings: dict, guessed, can_save: bool, **kw):
        super().__init__(*args, **kw)
        self.headers = headers
        self.mappings = mappings
        self.fields["preset"] = forms.ChoiceField(
            label=gettext_lazy("Mapping"),
            required=False,
            choices=[("", gettext_lazy("The columns chosen below"))]
            + [
                (name, f"{name} · {m.description}" if m.description else name)
                for name, m in sorted(mappings.items())
            ],
            initial=guessed.name or "",
            help_text=gettext_lazy("A saved mapping reads the file as it was set up to."),
        )
        column_choices = [("", "—")] + [(header, header) for header in headers]
        for target in TARGETS.values():
            chosen = [h for h in guessed.columns.get(target.name, ()) if h in headers]
            self.fields[f"col_{target.name}"] = forms.ChoiceField(
                label=str(target.label).capitalize(),
                required=False,
                choices=column_choices,
                initial=chosen[0] if chosen else "",
            )
        self.fields["channel"] = forms.ChoiceField(
            label=gettext_lazy("Channel when the file does not say"),
            choices=Channel.choices,
            initial=guessed.defaults.get("channel", Channel.HOTLINE),
        )
        if can_save:
            self.fields["save_as"] = forms.SlugField(
                label=gettext_lazy("Save these columns as a mapping named"),
                required=False,
                allow_unicode=True,
                max_length=50,
                help_text=gettext_lazy(
                    "Optional. Files with the same columns are then recognised, and a second "
                    "import of the same rows is recognised by their ids."
                ),
            )

    def column_fields(self):
        return [self[f"col_{name}"] for name in TARGETS]

    def clean(self):
        data = super().clean()
        preset = data.get("preset")
        if preset:
            mapping = self.mappings[preset]
        else:
            columns = {name: data[f"col_{name}"] for name in TARGETS if data.get(f"col_{name}")}
            if not columns:
                raise forms.ValidationError(_("Choose the columns, or a saved mapping."))
            mapping = mapping_from_json(
                data.get("save_as") or None, columns, {"channel": data["channel"]}
            )
            if data.get("save_as") and ImportMapping.objects.filter(name=data["save_as"]).exists():
                self.add_error("save_as", _("A mapping with this name exists already."))
        missing = mapping.missing(self.headers)
        if missing:
            raise forms.ValidationError(
                _("Choose a column for %(missing)s.") % {"missing": "、".join(missing)}
            )
        data["mapping"] = mapping
        return data
