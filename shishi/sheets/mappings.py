"""Which columns of a file feed which appeal fields.

A mapping names, for each appeal field, the column header it comes from (or
several headers, joined), plus default values for fields no column gives
(a message board's appeals all came in on the web). Built-in presets read the
files offices and open-data portals actually export; an administrator can
save more (`ImportMapping`), and a saved mapping replaces a built-in of the
same name. A file's mapping is recognised from its headers."""

import re
from collections.abc import Iterable, Sequence
from collections.abc import Mapping as MappingType
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shishi.intake.models import Channel

from .results import ImportRefused


@dataclass(frozen=True)
class Target:
    """An appeal field a column can feed."""

    name: str
    label: Promise
    # Headers recognised without a preset, compared after `header_key`.
    aliases: tuple[str, ...]
    # May a mapping give a default value for it?
    has_default: bool = False


TARGETS: dict[str, Target] = {
    t.name: t
    for t in (
        Target(
            "source_id",
            gettext_lazy("id in the source"),
            (
                "留言编号",
                "诉求编号",
                "工单编号",
                "工单号",
                "受理编号",
                "编号",
                "unique key",
                "service request number",
                "request id",
                "id",
            ),
        ),
        Target(
            "title",
            gettext_lazy("title"),
            (
                "留言主题",
                "诉求标题",
                "诉求主题",
                "标题",
                "主题",
                "诉求事项",
                "事项",
                "title",
                "subject",
            ),
        ),
        Target(
            "body",
            gettext_lazy("text"),
            (
                "留言详情",
                "诉求内容",
                "诉求详情",
                "具体内容",
                "问题描述",
                "来电内容",
                "内容",
                "详情",
                "描述",
                "正文",
                "body",
                "description",
                "details",
                "text",
            ),
        ),
        Target(
            "received_at",
            gettext_lazy("received at"),
            (
                "留言时间",
                "受理时间",
                "登记时间",
                "来电时间",
                "提交时间",
                "反映时间",
                "诉求时间",
                "创建时间",
                "时间",
                "日期",
                "received at",
                "created date",
                "created at",
                "date",
            ),
        ),
        Target(
            "channel",
            gettext_lazy("channel"),
            ("渠道", "诉求渠道", "来源渠道", "受理渠道", "来源", "channel", "method received"),
            has_default=True,
        ),
        Target(
            "category",
            gettext_lazy("category"),
            ("一级分类", "诉求分类", "诉求类别", "问题类别", "分类", "类别", "category"),
            has_default=True,
        ),
        Target(
            "community",
            gettext_lazy("community"),
            ("社区", "所属社区", "村社区", "村(社区)", "community"),
            has_default=True,
        ),
        Target(
            "address",
            gettext_lazy("address"),
            ("详细地址", "事发地址", "事发地点", "发生地点", "地址", "地点", "address"),
            has_default=True,
        ),
        Target(
            "submitter_name",
            gettext_lazy("submitter name"),
            ("留言用户", "诉求人", "反映人", "来电人", "联系人", "姓名", "name"),
        ),
        Target(
            "submitter_phone",
            gettext_lazy("submitter phone"),
            ("联系电话", "手机号码", "手机号", "来电号码", "手机", "电话", "phone", "telephone"),
        ),
        Target(
            "submitter_email",
            gettext_lazy("submitter e-mail"),
            ("电子邮箱", "电子邮件", "邮箱", "email", "e-mail"),
        ),
        Target("lat", gettext_lazy("latitude"), ("纬度", "latitude", "lat")),
        Target("lng", gettext_lazy("longitude"), ("经度", "longitude", "lng", "lon")),
        Target(
            "answer",
            gettext_lazy("answer"),
            ("答复意见", "答复内容", "回复内容", "办理结果", "答复", "回复", "answer", "reply"),
        ),
    )
}

# A mapping must give a time and some text: a title, or a text to take one from.
REQUIRED = ("received_at",)
REQUIRED_ONE_OF = ("title", "body")

# How several columns mapped to one field are joined.
TITLE_SEPARATOR = " - "
ADDRESS_SEPARATOR = ", "


def header_key(header: str) -> str:
    """A header as compared with aliases: case, spaces, punctuation and the
    required-field star ignored (`* 留言 时间` and `留言时间` are one)."""
    text = str(header).lower().replace("（", "(").replace("）", ")")
    return re.sub(r"[\s_*＊:：\-./]+", "", text)


@dataclass(frozen=True)
class ImportMap:
    """A mapping, resolved: field → headers, and default values."""

    name: str | None  # None: recognised from common headers, not a preset
    columns: dict[str, tuple[str, ...]]
    defaults: dict[str, str] = field(default_factory=dict)
    description: str = ""
    # Headers that identify a preset's files (all of them must be there).
    signature: tuple[str, ...] = ()

    def headers(self) -> set[str]:
        return {header for headers in self.columns.values() for header in headers}

    def matches(self, headers: Iterable[str]) -> bool:
        present = set(headers)
        signature = self.signature or tuple(self.headers())
        return bool(signature) and all(header in present for header in signature)

    def missing(self, headers: Iterable[str]) -> list[str]:
        """Labels of the required fields this mapping cannot fill from `headers`."""
        present = set(headers)

        def found(name: str) -> bool:
            return any(header in present for header in self.columns.get(name, ()))

        missing = [str(TARGETS[name].label) for name in REQUIRED if not found(name)]
        if not any(found(name) for name in REQUIRED_ONE_OF):
            missing.insert(0, _(" or ").join(str(TARGETS[name].label) for name in REQUIRED_ONE_OF))
        return missing


BUILT_IN: dict[str, ImportMap] = {
    m.name: m
    for m in (
        ImportMap(
            name="teddy2020",
            description="留言板导出（留言编号、留言用户、留言主题、留言时间、留言详情）",
            columns={
                "source_id": ("留言编号",),
                "submitter_name": ("留言用户",),
                "title": ("留言主题",),
                "received_at": ("留言时间",),
                "body": ("留言详情",),
                "category": ("一级分类",),
                "answer": ("答复意见",),
            },
            defaults={"channel": Channel.WEB},
            signature=("留言编号", "留言主题", "留言时间", "留言详情"),
        ),
        ImportMap(
            name="nyc311",
            description="NYC 311 Service Requests (NYC Open Data)",
            columns={
                "source_id": ("Unique Key",),
                "title": ("Complaint Type", "Descriptor"),
                "body": ("Descriptor", "Location Type", "Agency Name"),
                "received_at": ("Created Date",),
                "channel": ("Open Data Channel Type",),
                "address": ("Incident Address", "City"),
                "lat": ("Latitude",),
                "lng": ("Longitude",),
            },
            defaults={"channel": Channel.HOTLINE},
            signature=("Unique Key", "Created Date", "Complaint Type"),
        ),
        ImportMap(
            name="baltimore311",
            description="Baltimore 311 Customer Service Requests (Open Baltimore)",
            columns={
                "source_id": ("ServiceRequestNum",),
                "title": ("SRType",),
                "body": ("SRType", "Agency", "Neighborhood"),
                "received_at": ("CreatedDate",),
                "channel": ("MethodReceived",),
                "address": ("Address",),
                "lat": ("Latitude",),
                "lng": ("Longitude",),
            },
            defaults={"channel": Channel.HOTLINE},
            signature=("ServiceRequestNum", "SRType", "CreatedDate"),
        ),
    )
}


def mapping_from_json(name: str | None, columns, defaults=None, description: str = "") -> ImportMap:
    """A mapping from its stored form ({"title": "留言主题", "body": ["a", "b"]},
    {"channel": "hotline"}); ValidationError names what is wrong."""
    if not isinstance(columns, MappingType) or not columns:
        raise ValidationError({"columns": _('Give the columns as {"field": "header", …}.')})
    resolved: dict[str, tuple[str, ...]] = {}
    for target, headers in columns.items():
        if target not in TARGETS:
            raise ValidationError(
                {
                    "columns": _("Unknown field “%(field)s”; the fields are %(fields)s.")
                    % {"field": target, "fields": ", ".join(TARGETS)}
                }
            )
        if isinstance(headers, str):
            headers = [headers]
        if (
            not isinstance(headers, Sequence)
            or not headers
            or not all(isinstance(h, str) and h.strip() for h in headers)
        ):
            raise ValidationError(
                {
                    "columns": _("“%(field)s”: give a column header or a list of headers.")
                    % {"field": target}
                }
            )
        resolved[target] = tuple(h.strip() for h in headers)
    cleaned_defaults: dict[str, str] = {}
    for target, value in (defaults or {}).items():
        if target not in TARGETS or not TARGETS[target].has_default:
            raise ValidationError(
                {
                    "defaults": _("“%(field)s” takes no default; these do: %(fields)s.")
                    % {
                        "field": target,
                        "fields": ", ".join(n for n, t in TARGETS.items() if t.has_default),
                    }
                }
            )
        if not isinstance(value, str):
            raise ValidationError({"defaults": _("Default values must be text.")})
        if target == "channel" and value not in Channel.values:
            raise ValidationError(
                {
                    "defaults": _("Unknown channel “%(channel)s”; the channels are %(channels)s.")
                    % {"channel": value, "channels": ", ".join(Channel.values)}
                }
            )
        cleaned_defaults[target] = value
    return ImportMap(
        name=name, columns=resolved, defaults=cleaned_defaults, description=description
    )


def mappings_all() -> dict[str, ImportMap]:
    """Every mapping by name: the built-ins, then the saved ones (which win)."""
    from .models import ImportMapping

    found = dict(BUILT_IN)
    for saved in ImportMapping.objects.all():
        try:
            found[saved.name] = mapping_from_json(
                saved.name, saved.columns, saved.defaults, saved.description
            )
        except ValidationError:
            continue  # the admin refuses these; one saved by other means is skipped
    return found


def mapping_get(name: str) -> ImportMap:
    """The mapping called `name` (saved or built-in); ValidationError if none."""
    from .models import ImportMapping

    saved = ImportMapping.objects.filter(name=name).first()
    if saved is not None:
        return mapping_from_json(saved.name, saved.columns, saved.defaults, saved.description)
    if name in BUILT_IN:
        return BUILT_IN[name]
    raise ValidationError(
        {
            "mapping": _("No mapping named “%(name)s”; there are %(names)s.")
            % {"name": name, "names": ", ".join(sorted(mappings_all()))}
        }
    )


def mapping_guess(headers: Sequence[str]) -> tuple[str | None, ImportMap]:
    """The preset whose signature headers a file has, else a mapping of the
    common headers it recognises (name None). The result may still lack
    required fields: check `missing(headers)`."""
    candidates = mappings_all()
    # Saved mappings first: an office's own layout beats a lookalike built-in.
    ordered = sorted(candidates.values(), key=lambda m: (m.name in BUILT_IN, m.name or ""))
    for mapping in ordered:
        if mapping.matches(headers):
            return mapping.name, mapping
    return None, _mapping_by_aliases(headers)


def _mapping_by_aliases(headers: Sequence[str]) -> ImportMap:
    keys = {header_key(header): header for header in reversed(headers)}
    columns: dict[str, tuple[str, ...]] = {}
    for target in TARGETS.values():
        for alias in target.aliases:
            header = keys.get(header_key(alias))
            if header is not None:
                columns[target.name] = (header,)
                break
    return ImportMap(name=None, columns=columns)


def mapping_for_file(mapping, headers: Sequence[str], *, file_name: str) -> ImportMap:
    """The mapping to read a file with: the one given (an ImportMap, or a name),
    or the one its headers suggest. ImportRefused if it lacks required fields,
    naming them and the headers the file has."""
    if mapping is None:
        _name, chosen = mapping_guess(headers)
    elif isinstance(mapping, ImportMap):
        chosen = mapping
    else:
        try:
            chosen = mapping_get(str(mapping))
        except ValidationError as err:
            raise ImportRefused(file_name, " ".join(err.messages)) from None
    missing = chosen.missing(headers)
    if missing:
        if chosen.name:
            message = _(
                "The mapping “%(mapping)s” needs columns for %(missing)s, which the file "
                "lacks. Its columns are: %(headers)s."
            )
        else:
            message = _(
                "Cannot tell which columns hold %(missing)s. The file's columns are: "
                "%(headers)s. Rename them, or choose a mapping (--mapping NAME)."
            )
        raise ImportRefused(
            file_name,
            message
            % {
                "mapping": chosen.name,
                "missing": "、".join(missing),
                "headers": "、".join(headers) or "—",
            },
        )
    return chosen
