"""Programmes in a real browser: a clerk records an enterprise visit and a
problem it found, solved on the spot; a street's handler registers a claim
application that is claimed, reported, settled within 24 hours, and counted
so in the share of claims paid within 24 hours."""

import pytest

from shishi.ledger.models import ItemStatus
from shishi.org.services import user_create
from shishi.programmes import services
from shishi.programmes.models import ClaimApplication, EnterpriseProblem

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PASSWORD = "browser-pass-2026"


@pytest.fixture
def world(district):
    def person(username, role, units=()):
        return user_create(
            username=username, full_name=username, roles=[role], units=units, password=PASSWORD
        )

    root = user_create(username="root", full_name="root", roles=["administrator"])
    root.is_superuser = True
    root.save()
    programme = services.programme_create(code="wrzwq", name="万人助万企", actor=root)
    claims = services.programme_create(code="lp", name="灾后理赔", actor=root)
    station = services.claim_station_create(
        programme=claims, name="林山寨街道理赔工作站", unit=district["street"], actor=root
    )
    point = services.claim_point_create(
        station=station, name="建设路社区登记点", community=district["community"], actor=root
    )
    return {
        "programme": programme,
        "point": point,
        "clerk": person("clerk", "clerk"),
        # A leader claims only for their own units (issue 18): the district's.
        "leader": person("leader", "leader", [district["district"]]),
        "handler": person("handler", "unit_handler", [district["street"]]),
        "supervisor": person("supervisor", "supervisor"),
    }


def submit(page, form_selector: str) -> None:
    with page.expect_navigation():
        page.locator(form_selector).locator("button[type=submit]").first.click()


def test_a_problem_solved_on_the_spot_and_a_claim_paid_within_24_hours(
    browser, live_server, shoot, world, district, category
):
    url = live_server.url

    def log_in(username: str):
        page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
        page.goto(f"{url}/accounts/login/")
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", PASSWORD)
        submit(page, "main form")
        assert "/accounts/login/" not in page.url, page.inner_text("main")
        return page

    # The clerk records a visit and the problem it found…
    clerk = log_in("clerk")
    clerk.goto(f"{url}/programmes/")
    shoot(clerk, "p01-programmes")
    clerk.goto(f"{url}/programmes/visits/new/")
    clerk.select_option("select[name=programme]", str(world["programme"].pk))
    clerk.fill("input[name=enterprise]", "郑州金泰制罐有限公司")
    clerk.fill("input[name=visitors]", "区工信局 张伟、李娜")
    submit(clerk, "form:has(input[name=enterprise])")
    assert "/programmes/visits/" in clerk.url
    clerk.fill("input[name=problem-title]", "企业门前道路破损影响货车通行")
    clerk.select_option("select[name=problem-category]", str(category.pk))
    submit(clerk, "form:has(input[name=problem-title])")
    problem = EnterpriseProblem.objects.get()
    assert problem.item.status == ItemStatus.OPEN

    # …solved there and then, with evidence and a note.
    form = f"form:has(input[name=spot-problem][value='{problem.pk}'])"
    clerk.select_option(f"{form} select[name=spot-owner]", str(world["leader"].pk))
    clerk.select_option(f"{form} select[name=spot-lead_unit]", str(district["transport"].pk))
    clerk.fill(f"{form} textarea[name=spot-evidence]", "城建局现场修补路面，企业负责人签字确认。")
    clerk.fill(f"{form} input[name=spot-note]", "现场解决")
    submit(clerk, form)
    shoot(clerk, "p02-visit-solved-on-the-spot")
    problem.item.refresh_from_db()
    assert problem.item.status == ItemStatus.SETTLED and problem.item.settled_on_spot
    assert "现场解决" in clerk.inner_text("main")

    # The street's handler registers a claim application at a point.
    handler = log_in("handler")
    handler.goto(f"{url}/programmes/claims/new/")
    shoot(handler, "p03-claim-application")
    handler.select_option("select[name=point]", str(world["point"].pk))
    handler.fill("input[name=applicant]", "王某")
    handler.fill("input[name=title]", "家中财物水毁理赔")
    handler.select_option("select[name=category]", str(category.pk))
    handler.fill("input[name=amount]", "3000")
    submit(handler, "form:has(input[name=applicant])")
    application = ClaimApplication.objects.get()
    number = application.item.number
    assert handler.url.endswith(f"/work/items/{number}/")
    assert application.item.lead_unit == district["street"]

    # A leader takes it for the street; the handler pays and reports it; a
    # supervisor settles it: all within the day.
    leader = log_in("leader")
    leader.goto(f"{url}/work/items/{number}/claim/")
    leader.select_option("select[name=lead_unit]", label=district["street"].name)
    submit(leader, f"form[action$='/work/items/{number}/claim/']")
    handler.goto(f"{url}/work/items/{number}/report/")
    handler.fill("input[name=percent]", "100")
    handler.fill("textarea[name=narrative]", "赔款已支付。")
    submit(handler, "form:has(input[name=percent])")
    handler.goto(f"{url}/work/items/{number}/")
    submit(handler, f"form[action$='/work/items/{number}/submit/']")
    supervisor = log_in("supervisor")
    supervisor.goto(f"{url}/work/items/{number}/")
    supervisor.fill(
        f"form[action$='/work/items/{number}/settle/'] textarea[name=evidence]",
        "保险公司赔款到账凭证已核验。",
    )
    submit(supervisor, f"form[action$='/work/items/{number}/settle/']")
    application.item.refresh_from_db()
    assert application.item.status == ItemStatus.SETTLED

    # The share paid within 24 hours is counted from the application's own times.
    clerk.goto(f"{url}/programmes/figures/claims_paid_within_24h_share/")
    shoot(clerk, "p04-claims-paid-within-24h")
    assert "100.0%" in clerk.inner_text("h1")
    assert number in clerk.inner_text("main")
