from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from shishi.core.admin import ServiceAddMixin, ShishiHistoryAdmin, save_changed_fields

from .models import Category
from .services import category_create


class CategoryAddForm(forms.Form):
    name = forms.CharField(label=_("name"), max_length=100)
    parent = forms.ModelChoiceField(
        label=_("parent category"), queryset=Category.objects.active(), required=False
    )
    code = forms.SlugField(
        label=_("code"),
        max_length=50,
        required=False,
        help_text=_("A stable identifier for other systems; made from the name if left empty."),
    )
    description = forms.CharField(label=_("description"), widget=forms.Textarea, required=False)
    sort_order = forms.IntegerField(label=_("sort order"), min_value=0, initial=0)


@admin.register(Category)
class CategoryAdmin(ServiceAddMixin, ShishiHistoryAdmin):
    add_form = CategoryAddForm
    list_display = ["name", "path", "code", "sort_order", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["name", "code"]
    list_select_related = ["parent__parent__parent"]
    fields = ["name", "code", "parent", "description", "sort_order", "is_active"]
    # The code is what other systems (Open311) know a category by; the tree's
    # shape is set when a category is created. Retire a category instead.
    readonly_fields = ["code", "parent"]

    @admin.display(description=_("path"))
    def path(self, category: Category) -> str:
        return category.path

    def create_from_form(self, request, form):
        return category_create(actor=request.user, **form.cleaned_data)

    def save_model(self, request, obj, form, change):
        save_changed_fields(request, obj, form, reason="edited in admin")
