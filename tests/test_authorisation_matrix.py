"""Who may reach which URL: every URL of the URL configuration, as every
role, against one table of rules. A URL without a rule fails the test, so a
new page cannot ship without saying who may see it.

Adding a rule is one line in RULES: the URL's name, then who may reach it
(PUBLIC, LOGGED_IN, STAFF, or roles(...)), and POST for URLs that only take
POSTs. Objects in URLs are ones that do not exist: an allowed role gets its
page or a 404, a refused one a 401/403 or the login page; that is what is
checked (and that no request is a server error)."""

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from shishi.org.services import user_create

ROLES = ("anonymous", "resident", "clerk", "handler", "leader", "supervisor", "administrator")
STAFF = frozenset(ROLES[2:])
LOGGED_IN = frozenset(ROLES[1:])
PUBLIC = frozenset(ROLES)


def roles(*names: str) -> frozenset[str]:
    assert set(names) <= set(ROLES), names
    return frozenset(names)


GET, POST = "GET", "POST"

# name: (who may reach it, method). One line per URL.
RULES: dict[str, tuple[frozenset[str], str]] = {
    "accounts:home": (LOGGED_IN, GET),
    "accounts:login": (PUBLIC, GET),
    "accounts:logout": (PUBLIC, POST),
    "accounts:my_appeals": (LOGGED_IN, GET),
    "accounts:password_change": (LOGGED_IN, GET),
    "accounts:password_change_done": (LOGGED_IN, GET),
    "accounts:signup": (PUBLIC, GET),
    "activities:lectures": (STAFF, GET),
    "activities:meetings": (STAFF, GET),
    "api:appeal": (roles("clerk", "administrator"), GET),
    "api:appeal_accept": (roles("clerk", "administrator"), POST),
    "api:appeal_answer": (roles("clerk", "administrator"), POST),
    "api:appeal_close": (roles("clerk", "administrator"), POST),
    "api:appeal_reject": (roles("clerk", "administrator"), POST),
    "api:appeal_triage": (roles("clerk", "administrator"), POST),
    "api:appeals": (roles("clerk", "administrator"), GET),
    "api:categories": (STAFF, GET),
    "api:category": (STAFF, GET),
    "api:docs": (PUBLIC, GET),
    "api:item": (STAFF, GET),
    "api:item_cancel": (STAFF, POST),
    "api:item_claim": (STAFF, POST),
    "api:item_followups": (STAFF, GET),
    "api:item_open": (STAFF, POST),
    "api:item_reopen": (STAFF, POST),
    "api:item_reports": (STAFF, GET),
    "api:item_resume": (STAFF, POST),
    "api:item_send_back": (STAFF, POST),
    "api:item_settle": (STAFF, POST),
    "api:item_submit": (STAFF, POST),
    "api:item_suspend": (STAFF, POST),
    "api:items": (STAFF, GET),
    "api:not_found": (PUBLIC, GET),
    "api:order": (STAFF, GET),
    "api:order_cancel": (STAFF, POST),
    "api:order_dispatch": (roles("clerk", "administrator"), POST),
    "api:order_extend": (STAFF, POST),
    "api:order_followup": (STAFF, POST),
    "api:order_note": (STAFF, POST),
    "api:order_redispatch": (STAFF, POST),
    "api:order_rehandle": (STAFF, POST),
    "api:order_reply": (STAFF, POST),
    "api:order_return": (STAFF, POST),
    "api:order_review": (STAFF, POST),
    "api:order_sign": (STAFF, POST),
    "api:orders": (STAFF, GET),
    "api:redoc": (PUBLIC, GET),
    "api:schema": (PUBLIC, GET),
    "api:unit": (STAFF, GET),
    "api:units": (STAFF, GET),
    "dashboard:index": (STAFF, GET),
    "dispatch:cancel": (STAFF, POST),
    "dispatch:claim": (roles("leader", "administrator"), GET),
    "dispatch:claimable": (roles("leader", "administrator"), GET),
    "dispatch:claimable_export": (roles("leader", "administrator"), GET),
    "dispatch:evidence": (LOGGED_IN, GET),
    "dispatch:followup": (STAFF, POST),
    "dispatch:item": (STAFF, GET),
    "dispatch:my_items": (roles("handler", "leader", "administrator"), GET),
    "dispatch:my_items_export": (roles("handler", "leader", "administrator"), GET),
    "dispatch:open": (STAFF, POST),
    "dispatch:overdue": (roles("supervisor", "administrator"), GET),
    "dispatch:overdue_export": (roles("supervisor", "administrator"), GET),
    "dispatch:reopen": (STAFF, POST),
    "dispatch:report": (roles("handler", "leader", "administrator"), GET),
    "dispatch:resume": (STAFF, POST),
    "dispatch:send_back": (STAFF, POST),
    "dispatch:settle": (STAFF, POST),
    "dispatch:submit": (STAFF, POST),
    "dispatch:suspend": (STAFF, POST),
    "dispatch:verification": (roles("supervisor", "administrator"), GET),
    "dispatch:verification_export": (roles("supervisor", "administrator"), GET),
    "hotline:record": (roles("clerk", "administrator"), GET),
    "hotline:suggest": (roles("clerk", "administrator"), POST),
    "inspection:coverage": (STAFF, GET),
    "inspection:visits": (STAFF, GET),
    "liaison:community": (STAFF, GET),
    "liaison:coverage": (STAFF, GET),
    "open311:discovery": (PUBLIC, GET),
    "open311:request": (PUBLIC, GET),
    "open311:requests": (PUBLIC, GET),
    "open311:service_definition": (PUBLIC, GET),
    "open311:services": (PUBLIC, GET),
    "open311:token": (PUBLIC, GET),
    "open311:updates": (PUBLIC, GET),
    "ops:healthz": (PUBLIC, GET),
    "organisation:bodies": (STAFF, GET),
    "organisation:contacts": (STAFF, GET),
    "organisation:index": (STAFF, GET),
    "organisation:tasks": (STAFF, GET),
    "programmes:claim_new": (roles("clerk", "handler", "administrator"), GET),
    "programmes:detail": (STAFF, GET),
    "programmes:export": (STAFF, GET),
    "programmes:figure": (STAFF, GET),
    "programmes:import": (STAFF, GET),
    "programmes:list": (STAFF, GET),
    "programmes:visit": (STAFF, GET),
    "programmes:visit_new": (roles("clerk", "leader", "administrator"), GET),
    "public:appeal_new": (PUBLIC, GET),
    "public:appeal_photo": (PUBLIC, GET),
    "public:item": (PUBLIC, GET),
    "public:ledger": (PUBLIC, GET),
    "public:track": (PUBLIC, GET),
    "public:track_detail": (PUBLIC, GET),
    "public:track_rate": (PUBLIC, POST),
    "reminders:mine": (LOGGED_IN, GET),
    "reminders:read": (LOGGED_IN, POST),
    "reminders:read_all": (LOGGED_IN, POST),
    "reports:rates": (STAFF, GET),
    "reports:summary": (STAFF, GET),
    "reports:weekly": (STAFF, GET),
    "selection:call": (STAFF, GET),
    "selection:calls": (STAFF, GET),
    "selection:publish": (roles("clerk", "administrator"), POST),
    "set_language": (PUBLIC, POST),
    "sheets:check": (roles("clerk", "administrator"), POST),
    "sheets:columns": (roles("clerk", "administrator"), GET),
    "sheets:commit": (roles("clerk", "administrator"), POST),
    "sheets:errors": (roles("clerk", "administrator"), GET),
    "sheets:job": (roles("clerk", "administrator"), GET),
    "sheets:start": (roles("clerk", "administrator"), GET),
    "supervision:answer": (roles("handler", "leader", "supervisor", "administrator"), POST),
    "supervision:close": (roles("handler", "leader", "supervisor", "administrator"), POST),
    "supervision:order": (roles("handler", "leader", "supervisor", "administrator"), GET),
    "supervision:orders": (roles("supervisor", "administrator"), GET),
    "supervision:send_back": (roles("handler", "leader", "supervisor", "administrator"), POST),
    "supervision:to_answer": (roles("handler", "leader", "administrator"), GET),
    "triage:appeal": (roles("clerk", "administrator"), GET),
    "triage:bulk": (roles("clerk", "administrator"), POST),
    "triage:hot": (roles("clerk", "administrator"), GET),
    "triage:item_new": (roles("clerk", "administrator"), GET),
    "triage:item_suggestions": (roles("clerk", "administrator"), GET),
    "triage:queue": (roles("clerk", "administrator"), GET),
    "triage:queue_export": (roles("clerk", "administrator"), GET),
    "workorders:cancel": (roles("clerk", "handler", "administrator"), POST),
    "workorders:centre": (roles("clerk", "administrator"), GET),
    "workorders:centre_export": (roles("clerk", "administrator"), GET),
    "workorders:close": (roles("clerk", "handler", "administrator"), POST),
    "workorders:decide": (roles("clerk", "handler", "administrator"), POST),
    "workorders:dispatch": (roles("clerk", "administrator"), GET),
    "workorders:extend": (roles("clerk", "handler", "administrator"), POST),
    "workorders:followup": (roles("clerk", "handler", "administrator"), POST),
    "workorders:note": (roles("clerk", "handler", "administrator"), POST),
    "workorders:order": (roles("clerk", "handler", "supervisor", "administrator"), GET),
    "workorders:photo": (roles("clerk", "handler", "supervisor", "administrator"), GET),
    "workorders:queue": (roles("handler", "administrator"), GET),
    "workorders:queue_export": (roles("handler", "administrator"), GET),
    "workorders:redispatch": (roles("clerk", "handler", "administrator"), POST),
    "workorders:rehandle": (roles("clerk", "handler", "administrator"), POST),
    "workorders:reply": (roles("clerk", "handler", "administrator"), POST),
    "workorders:return": (roles("clerk", "handler", "administrator"), POST),
    "workorders:review": (roles("clerk", "handler", "administrator"), POST),
    "workorders:sign": (roles("clerk", "handler", "administrator"), POST),
}

# Placeholder values for the URLs' parameters: objects that do not exist.
SAMPLE_KWARGS = {
    "tracking_number": "000000-NONE00",
    "number": "SS-0000-0000",
    "pk": "999999",
    "fmt": "json",
    "code": "none",
    "token": "none",
}


def _walk(patterns, prefix="", namespace=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            ns = namespace
            if pattern.namespace:
                ns = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern), ns)
        elif isinstance(pattern, URLPattern):
            name = f"{namespace}:{pattern.name}" if namespace else (pattern.name or "")
            yield name, prefix + str(pattern.pattern)


def _path(route: str) -> str:
    """A concrete path for a route, path() or re_path() style."""
    route = route.replace("^", "").replace("$", "").replace("\\.", ".")

    def value(match):
        return SAMPLE_KWARGS.get(match.group(1), "1")

    route = re.sub(r"<(?:\w+:)?(\w+)>", value, route)
    route = re.sub(r"\(\?P<(\w+)>[^)]*\)", value, route)
    return "/" + route


def site_urls() -> dict[str, str]:
    """Every named URL but the admin's (checked apart): name → a path."""
    urls = {}
    for name, route in _walk(get_resolver().url_patterns):
        if name.startswith("admin:"):
            continue
        urls.setdefault(name, _path(route))
    return urls


# The admin's own open doors: its login form, logging out, "view on site" (a redirect).
ADMIN_OPEN = {"admin:login", "admin:logout", "admin:view_on_site"}


def admin_urls() -> list[str]:
    return sorted(
        {
            _path(route)
            for name, route in _walk(get_resolver().url_patterns)
            if name.startswith("admin:") and name not in ADMIN_OPEN
        }
    )


def test_every_url_has_a_rule():
    missing = sorted(set(site_urls()) - set(RULES))
    template = "\n".join(f'    "{name}": (STAFF, GET),' for name in missing)
    assert not missing, f"URLs without a rule in RULES (add one line each):\n{template}"
    stale = sorted(set(RULES) - set(site_urls()))
    assert not stale, f"rules for URLs that no longer exist: {stale}"


@pytest.fixture
def people(district):
    def staff(username, role, units=()):
        return user_create(username=username, full_name=username, roles=[role], units=list(units))

    admin = staff("m-admin", "administrator")
    return {
        "anonymous": None,
        "resident": user_create(username="m-resident", full_name="居民", roles=["resident"]),
        "clerk": staff("m-clerk", "clerk"),
        "handler": staff("m-handler", "unit_handler", [district["education"]]),
        "leader": staff("m-leader", "leader", [district["district"]]),
        "supervisor": staff("m-supervisor", "supervisor"),
        "administrator": admin,
    }


def _refused(response) -> bool:
    if response.status_code in (401, 403):
        return True
    if response.status_code == 302:
        return "/login/" in response["Location"]
    return False


@pytest.mark.django_db
def test_every_role_reaches_what_its_rule_allows_and_nothing_else(client, people, settings):
    settings.SHISHI_API_ANON_RATE = ""  # many requests from one address
    settings.SHISHI_API_USER_RATE = ""
    settings.SHISHI_OPEN311_ANONYMOUS_RATE_PER_MINUTE = 100_000
    wrong = []
    for name, path in sorted(site_urls().items()):
        if name not in RULES:
            continue  # reported by test_every_url_has_a_rule
        allowed, method = RULES[name]
        for role in ROLES:
            client.logout()
            if people[role] is not None:
                client.force_login(people[role])
            response = client.post(path) if method == POST else client.get(path)
            refused = _refused(response)
            if refused == (role in allowed):
                verdict = "refused" if refused else "allowed"
                wrong.append(
                    f"{name} {method} {path} as {role}: {verdict} ({response.status_code})"
                )
    assert not wrong, "\n".join(wrong)


@pytest.mark.django_db
def test_the_admin_is_for_staff_only(client, people):
    for path in admin_urls():
        response = client.get(path)
        assert _refused(response), path
    client.force_login(people["resident"])
    assert _refused(client.get("/admin/"))
    client.force_login(people["clerk"])
    assert client.get("/admin/").status_code == 200
