"""The staff pages: who sees them, what they count, and the visit page where
a problem is recorded and solved on the spot."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from shishi.ledger.models import ItemStatus
from shishi.programmes import services
from shishi.programmes.models import EnterpriseProblem, ServiceItem
from shishi.reports.summary import summary_build, summary_document

pytestmark = pytest.mark.django_db


@pytest.fixture
def visit(programme, bob, yesterday):
    return services.enterprise_visit_record(
        programme=programme,
        enterprise="郑州金泰制罐有限公司",
        visitors="区工信局 张伟",
        visited_on=yesterday,
        actor=bob,
    )


def test_a_resident_and_a_visitor_see_no_programme(client, alice, programme):
    url = reverse("programmes:list")
    assert client.get(url).status_code == 302  # to the login page
    client.force_login(alice)
    assert client.get(url).status_code == 403
    assert client.get(reverse("programmes:figure", args=["claims"])).status_code == 403


def test_the_list_shows_each_figure_counted_and_linked(client, bob, visit):
    client.force_login(bob)
    html = client.get(reverse("programmes:list")).content.decode()
    assert "万人助万企" in html
    assert 'data-figure="enterprises_visited">1' in html
    assert reverse("programmes:figure", args=["enterprises_visited"]) in html


def test_a_figure_lists_and_exports_the_rows_it_counts(client, bob, visit):
    client.force_login(bob)
    url = reverse("programmes:figure", args=["enterprise_visits"])
    html = client.get(url).content.decode()
    assert "郑州金泰制罐有限公司" in html
    assert reverse("programmes:visit", args=[visit.pk]) in html
    response = client.get(url + "?format=xlsx")
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    assert "郑州金泰制罐有限公司" in [c.value for row in sheet.iter_rows() for c in row]
    assert client.get(reverse("programmes:figure", args=["nothing"])).status_code == 404


def test_a_problem_recorded_on_the_visit_page_is_solved_on_the_spot(
    client, bob, dave, category, district, visit
):
    client.force_login(bob)
    url = reverse("programmes:visit", args=[visit.pk])
    response = client.post(
        url,
        {"action": "problem", "problem-title": "门前道路破损", "problem-category": category.pk},
    )
    assert response.status_code == 302
    problem = EnterpriseProblem.objects.get()
    assert problem.item.status == ItemStatus.OPEN
    # Without evidence: refused, nothing settled.
    data = {
        "action": "on_spot",
        "spot-problem": problem.pk,
        "spot-owner": dave.pk,
        "spot-lead_unit": district["transport"].pk,
        "spot-evidence": "",
        "spot-note": "现场解决",
    }
    assert client.post(url, data).status_code == 200
    problem.item.refresh_from_db()
    assert problem.item.status == ItemStatus.OPEN
    data["spot-evidence"] = "城建局现场修补，企业签字确认"
    assert client.post(url, data).status_code == 302
    problem.item.refresh_from_db()
    assert problem.item.status == ItemStatus.SETTLED and problem.item.settled_on_spot
    assert "现场解决" in client.get(url).content.decode()


def test_a_handler_may_see_a_visit_but_not_record_on_it(client, carol, visit, category):
    client.force_login(carol)
    url = reverse("programmes:visit", args=[visit.pk])
    assert client.get(url).status_code == 200
    response = client.post(
        url, {"action": "problem", "problem-title": "x", "problem-category": category.pk}
    )
    assert response.status_code == 403
    assert EnterpriseProblem.objects.count() == 0


def test_the_import_page_lists_row_errors_and_stores_nothing(client, root):
    client.force_login(root)
    csv = "事项编码,事项名称,实施部门,网上办,掌上办\r\nZY1,营业执照,,是,否\r\nZY2,,,是,否\r\n"
    upload = io.BytesIO(csv.encode("utf-8"))
    upload.name = "目录.csv"
    response = client.post(reverse("programmes:import", args=["services"]), {"file": upload})
    assert response.status_code == 400
    assert "第 3 行，“事项名称”列" in response.content.decode()
    assert ServiceItem.objects.count() == 0


def test_the_import_page_needs_the_right(client, bob):
    client.force_login(bob)
    assert client.get(reverse("programmes:import", args=["assets"])).status_code == 403


def test_the_summary_has_a_results_section_linked_to_the_rows(visit, bob, category):
    summary = summary_build()
    html = summary_document(summary)
    assert "三、实干践行初心" in html
    assert "走访调研企业" in html
    assert reverse("programmes:figure", args=["enterprises_visited"]) in html
    assert summary.results.values["enterprises_visited"] == 1
    # A sentence whose figures count nothing is left out.
    assert "理赔受理登记点" not in html


def test_the_programme_page_counts_its_items(client, bob, dave, category, district, visit):
    problem = services.enterprise_problem_record(
        visit=visit, title="用电增容", category=category, actor=bob
    )
    services.enterprise_problem_record(visit=visit, title="招工难", category=category, actor=bob)
    services.enterprise_problem_solve_on_spot(
        problem=problem,
        actor=bob,
        owner=dave,
        lead_unit=district["transport"],
        evidence="现场办理",
        note="现场解决",
    )
    client.force_login(bob)
    response = client.get(reverse("programmes:detail", args=[visit.programme.code]))
    assert response.context["counts"]["opened"] == 2
    assert response.context["counts"]["settled"] == 1
    assert response.context["counts"]["on_spot"] == 1
    assert response.context["counts"]["enterprise_visits"] == 1
    assert "用电增容" in response.content.decode()


def test_a_claim_registered_on_the_web_is_routed_to_its_station(
    client, carol, bob, network, category, district
):
    station, point = network
    client.force_login(bob)  # a clerk may register claims
    response = client.post(
        reverse("programmes:claim_new"),
        {
            "point": point.pk,
            "applicant": "王某",
            "title": "家中财物水毁理赔",
            "category": category.pk,
            "amount": "-5",
        },
    )
    assert response.status_code == 200  # a negative amount is refused
    assert not station.applications.exists()
    data = {"point": point.pk, "applicant": "王某", "title": "水毁理赔", "category": category.pk}
    response = client.post(reverse("programmes:claim_new"), data)
    application = station.applications.get()
    assert response.url == reverse("dispatch:item", args=[application.item.number])
    assert application.item.lead_unit == district["street"]
    client.force_login(carol)  # an education handler: may open claims by policy
    assert client.get(reverse("programmes:claim_new")).status_code == 200


def test_a_leader_may_not_register_a_claim(client, dave):
    client.force_login(dave)
    assert client.get(reverse("programmes:claim_new")).status_code == 403
