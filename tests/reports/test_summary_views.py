"""The summary's page at /reports/summary/: for staff who see the ledger, with
the same document to download, and a way for administrators to the wording."""

from urllib.parse import quote

import pytest
from django.contrib import admin
from django.urls import reverse

from shishi.org.roles import sync_role_groups
from shishi.org.services import user_create
from shishi.reports.models import SummaryTemplate
from shishi.reports.pdf import cjk_font_available
from shishi.reports.services import summary_template_save
from shishi.reports.summary import DEFAULT_BODY

from . import summary_world

campaign = summary_world.campaign  # the fixture

pytestmark = pytest.mark.django_db

URL = reverse("reports:summary")


@pytest.fixture
def english(settings):
    # The page's own words follow the language; the document stays Chinese.
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def administrator(db):
    # The administrator role holds every permission, the summary wording's too.
    sync_role_groups()
    return user_create(username="adam", full_name="亚当", roles=["administrator"], is_staff=True)


# ------------------------------------------------------------ who may see it


def test_anonymous_visitors_are_sent_to_log_in(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_a_resident_may_not_see_it(client, alice):
    client.force_login(alice)
    assert client.get(URL).status_code == 403
    assert client.get(URL + "?format=pdf").status_code == 403


def test_a_clerk_reads_the_figures_but_may_not_edit_the_wording(client, bob, campaign):
    client.force_login(bob)
    response = client.get(URL)
    assert response.status_code == 200
    page = response.content.decode()
    assert "共召开征集意见座谈会2场，发放调查问卷500份，入户走访40人次，征集诉求5条" in page
    assert 'class="bar-chart"' in page
    assert "/admin/reports/summarytemplate/" not in page
    assert "?format=pdf" in page


def test_the_page_is_the_sites_and_the_document_stays_chinese(client, bob, campaign, english):
    client.force_login(bob)
    page = client.get(URL).content.decode()
    assert 'class="site-header"' in page  # base.html
    assert "Download as PDF" in page
    assert "一、征集诉求" in page and "座谈会" in page  # channel labels in Chinese too


def test_an_administrator_is_offered_the_wording_to_edit(client, administrator, campaign):
    client.force_login(administrator)
    page = client.get(URL).content.decode()
    assert reverse("admin:reports_summarytemplate_add") in page  # none saved yet

    template = SummaryTemplate(title="综述", body=DEFAULT_BODY)
    summary_template_save(template=template, actor=administrator)
    page = client.get(URL).content.decode()
    assert reverse("admin:reports_summarytemplate_change", args=[template.pk]) in page


# ------------------------------------------------------------ downloads


def test_the_html_download_is_a_standalone_document(client, bob, campaign):
    client.force_login(bob)
    response = client.get(URL + "?format=html")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/html; charset=utf-8"
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert quote("中原区综述-") in disposition and disposition.endswith(".html")
    html = response.content.decode()
    assert html.startswith("<!doctype html>") and "<style>" in html
    assert 'class="site-header"' not in html and "<script" not in html
    assert "征集诉求5条" in html


@pytest.mark.skipif(
    not cjk_font_available(), reason="no CJK font installed (apt-get install fonts-noto-cjk)"
)
def test_the_pdf_download_has_a_chinese_safe_file_name(client, bob, campaign):
    client.force_login(bob)
    response = client.get(URL + "?format=pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    disposition = response["Content-Disposition"]
    # An ASCII header with the UTF-8 name (RFC 6266), which every browser reads.
    disposition.encode("ascii")
    assert "filename*=utf-8''" in disposition
    assert quote("中原区综述-") in disposition and disposition.endswith(".pdf")


def test_an_unknown_format_is_refused(client, bob, english):
    client.force_login(bob)
    response = client.get(URL + "?format=xlsx")
    assert response.status_code == 400
    assert "xlsx" in response.content.decode() and "pdf" in response.content.decode()


def test_the_page_only_reads(client, bob):
    client.force_login(bob)
    assert client.post(URL).status_code == 405


def test_a_wording_that_cannot_be_used_is_flagged_on_the_page(client, bob, english):
    SummaryTemplate.objects.create(title="综述", body="旧指标{retired_figure}项")
    client.force_login(bob)
    page = client.get(URL).content.decode()
    assert "The wording in use could not be used" in page and "{retired_figure}" in page
    assert "“我为群众办实事”实践活动综述" in page  # the built-in wording


# ------------------------------------------------------------ the admin


def _admin_url(view, *args):
    return reverse(f"admin:reports_summarytemplate_{view}", args=args)


def test_a_new_wording_starts_from_the_built_in_one_and_none_is_deleted(admin_client):
    assert SummaryTemplate in admin.site._registry
    response = admin_client.get(_admin_url("add"))
    assert response.status_code == 200
    assert response.context["adminform"].form.initial["body"] == DEFAULT_BODY
    template = SummaryTemplate.objects.create(title="综述", body="座谈会{forums}场")
    assert admin_client.post(_admin_url("delete", template.pk), {"post": "yes"}).status_code == 403
    assert SummaryTemplate.objects.filter(pk=template.pk).exists()


def test_an_unknown_placeholder_is_refused_in_the_admin(admin_client, english):
    response = admin_client.post(
        _admin_url("add"),
        {"title": "综述", "body": "共召开座谈会{forum}场", "is_active": "on"},
    )
    assert response.status_code == 200  # the form again, with the error
    errors = response.context["adminform"].form.errors["body"]
    assert "{forum}" in errors[0] and "{forums}" in errors[0]
    assert not SummaryTemplate.objects.exists()


def test_an_administrator_puts_a_new_wording_in_use(client, administrator, campaign):
    client.force_login(administrator)
    old = SummaryTemplate(title="旧版", body="座谈会{forums}场")
    summary_template_save(template=old, actor=administrator)
    response = client.post(
        _admin_url("add"),
        {
            "title": "{district}综述",
            "body": "诉求{appeals}条\n\n实事{projects}件",
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    new = SummaryTemplate.objects.get(title="{district}综述")
    old.refresh_from_db()
    assert new.is_active and not old.is_active
    assert new.history.latest().history_user == administrator

    page = client.get(_admin_url("change", new.pk)).content.decode()
    assert "诉求5条" in page and "实事4件" in page  # the preview, with today's figures

    page = client.get(URL).content.decode()
    assert "<h1>中原区综述</h1>" in page and "<p>诉求5条</p>" in page


def test_nobody_else_edits_the_wording(client, bob, erin):
    template = SummaryTemplate.objects.create(title="综述", body="座谈会{forums}场")
    for user in (bob, erin):
        user.is_staff = True
        user.save()
        client.force_login(user)
        response = client.post(
            _admin_url("change", template.pk), {"title": "改", "body": "改", "is_active": "on"}
        )
        assert response.status_code == 403
    template.refresh_from_db()
    assert template.body == "座谈会{forums}场"


def test_the_admin_shows_why_an_old_wording_cannot_be_previewed(admin_client, english):
    template = SummaryTemplate.objects.create(title="综述", body="旧指标{retired_figure}项")
    response = admin_client.get(_admin_url("change", template.pk))
    assert response.status_code == 200
    assert "Unknown placeholder: {retired_figure}" in response.content.decode()
