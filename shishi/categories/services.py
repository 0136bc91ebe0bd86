import hashlib
from collections.abc import Iterable, Sequence

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
    code = code or _unique_code(name, parent)
    if Category.objects.filter(code=code).exists():
        raise ValidationError(
            {"code": _("The category code “%(code)s” is taken.") % {"code": code}}
        )
    category = Category(
        name=name, parent=parent, code=code, description=description, sort_order=sort_order
    )
    save_with_history(category, actor=actor, reason="created")
    return category


def _unique_code(name: str, parent: Category | None) -> str:
    # Chinese names slugify to nothing: derive a short code from the path, so
    # the same taxonomy loaded anywhere gets the same codes.
    path = f"{parent.path} › {name}" if parent else name
    base = slugify(name)[:40] or "c" + hashlib.sha1(path.encode()).hexdigest()[:8]  # noqa: S324
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


@transaction.atomic
def category_tree_load(rows: Iterable[Sequence[str | None]], *, actor=None) -> tuple[int, int]:
    """Load a category tree given as rows of level names (一级, 二级, 三级 …),
    creating what is missing. Returns (created, already there). A row with a
    gap (a lower level named under an empty higher one) is refused by number."""
    created = existing = 0
    cache: dict[tuple[int | None, str], Category] = {}
    for number, row in enumerate(rows, start=1):
        names = [str(cell).strip() if cell is not None else "" for cell in row]
        while names and not names[-1]:
            names.pop()
        if not names:
            continue
        if "" in names:
            raise ValidationError(
                {
                    "row": _("Row %(row)d: level %(level)d is empty but a lower level is named.")
                    % {"row": number, "level": names.index("") + 1}
                }
            )
        parent = None
        for name in names:
            key = (parent.pk if parent else None, name)
            node = cache.get(key) or Category.objects.filter(parent=parent, name=name).first()
            if node is None:
                node = category_create(name=name, parent=parent, actor=actor)
                created += 1
            elif key not in cache:
                existing += 1
            cache[key] = node
            parent = node
    return created, existing
