"""The default policies, from common 12345 hotline practice. (The official
holidays come from the chinesecalendar package: see holidays_cn.) Used by the data migrations (with historical models) and by
`shishi service_levels defaults` after a category tree is loaded."""

# Category names holding one of these words get the policy. A category tree is
# the installation's own (loaded from a file), so defaults attach by name.
EMERGENCY_WORDS = ("紧急", "应急", "抢险", "险情", "突发")
UTILITY_WORDS = ("供水", "停水", "供电", "停电", "燃气", "供气", "供暖", "供热", "水电气")

# name, kind, (acknowledge, respond, settle) as (amount, unit) or None
BASE_POLICIES = [
    # General appeals: acknowledged within 2 working hours, answered within 7 working days.
    ("一般诉求", "", ((2, "working_hours"), (7, "working_days"), None)),
    # Complex ones need several units: an appeal taken into such an item, 15 working days.
    ("复杂诉求（实事项目）", "project", (None, (15, "working_days"), None)),
    ("复杂诉求（整改事项）", "rectification", (None, (15, "working_days"), None)),
    ("复杂诉求（企业问题）", "enterprise_problem", (None, (15, "working_days"), None)),
    # Insurance claims are paid within 24 hours of application.
    ("保险理赔", "claim", ((1, "hours"), (24, "hours"), (24, "hours"))),
]
CATEGORY_POLICIES = [
    ("紧急诉求", EMERGENCY_WORDS, ((30, "minutes"), (2, "hours"), None)),
    ("水电气暖", UTILITY_WORDS, ((1, "hours"), (24, "hours"), None)),
]


def _limits(limits):
    fields = {}
    for measure, limit in zip(("acknowledge", "respond", "settle"), limits, strict=True):
        if limit is not None:
            fields[f"{measure}_within"], fields[f"{measure}_unit"] = limit
    return fields


def base_policies_create(ServiceLevelPolicy) -> int:
    created = 0
    for name, kind, limits in BASE_POLICIES:
        _policy, new = ServiceLevelPolicy.objects.get_or_create(
            kind=kind, category=None, defaults={"name": name, **_limits(limits)}
        )
        created += new
    return created


def category_policies_attach(ServiceLevelPolicy, Category) -> int:
    """Give each category whose name holds an emergency or utility word its
    policy, unless it has one; subcategories inherit it. Returns how many."""
    created = 0
    categories = list(Category.objects.all())
    parents = {category.pk: category.parent_id for category in categories}

    def ancestors(pk):
        seen = set()
        while (pk := parents.get(pk)) is not None and pk not in seen:
            seen.add(pk)
            yield pk

    for name, words, limits in CATEGORY_POLICIES:
        matched = {c.pk for c in categories if any(word in c.name for word in words)}
        for category in categories:
            # A subcategory of a matched one inherits its policy.
            if category.pk not in matched or any(a in matched for a in ancestors(category.pk)):
                continue
            _policy, new = ServiceLevelPolicy.objects.get_or_create(
                kind="",
                category=category,
                defaults={"name": f"{name}：{category.name}", **_limits(limits)},
            )
            created += new
    return created


def calendars_create(HolidayCalendar, CalendarDay) -> int:
    """Migration service_levels 0002 once copied a hand-written table of the
    official holidays here; they come from chinesecalendar now (holidays_cn),
    and the admin's calendars hold local changes only."""
    return 0
