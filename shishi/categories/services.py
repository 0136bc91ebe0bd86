from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _

from shishi.core.lifecycle import require_text, save_with_history

from .models import Category


@transaction.atomic
def category_create(
    *,
    name: str,
    parent: Category | None = None,
    code: str = "",
    description: str = "",
    sort_order: int = 0,
    actor=None,
) -> Category:
    name = require_text(name, field="name", max_length=100, label=_("Category name"))
    if Category.objects.filter(parent=parent, name=name).exists():
        raise ValidationError(
            {"name": _("There is already a category named “%(name)s” there.") % {"name": name}}
        )
    code = code or _unique_code(name)
    if Category.objects.filter(code=code).exists():
        raise ValidationError(
            {"code": _("The category code “%(code)s” is taken.") % {"code": code}}
        )
    category = Category(
        name=name, parent=parent, code=code, description=description, sort_order=sort_order
    )
    save_with_history(category, actor=actor, reason="created")
    return category


def _unique_code(name: str) -> str:
    # Chinese names slugify to nothing; fall back to a numbered code.
    base = slugify(name)[:40] or "cat"
    if not Category.objects.filter(code=base).exists():
        return base
    n = Category.objects.filter(code__startswith=f"{base}-").count() + 2
    while Category.objects.filter(code=f"{base}-{n}").exists():
        n += 1
    return f"{base}-{n}"


def category_resolve(value) -> Category:
    """A category given by object, id, code or name (as the CLI and imports do)."""
    if isinstance(value, Category):
        return value
    text = str(value).strip()
    query = Category.objects.active()
    found = (
        query.filter(code=text).first()
        or query.filter(name=text).order_by("parent_id").first()
        or (query.filter(pk=int(text)).first() if text.isdigit() else None)
    )
    if found is None:
        raise ValidationError({"category": _("Unknown category: “%(value)s”.") % {"value": text}})
    return found
