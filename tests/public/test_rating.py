"""回访 on the tracking page: the appellant rates the result, through the link in
their notice or their own account, once the item that answers the appeal is
settled, once per settlement. The public tracking number alone never rates."""

import pytest
from django.urls import reverse

from shishi.intake.models import AppealNotice
from shishi.intake.rating_keys import notice_text, rating_key, rating_url
from shishi.intake.services import appeal_accept, appeal_submit
from shishi.ledger.models import FollowUp, Satisfaction
from shishi.ledger.services import (
    item_reopen,
    item_settle,
    item_submit_for_verification,
    progress_report_submit,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english(settings):
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def appeal(claimed_item, bob):
    appeal = appeal_submit(title="孩子上学远", channel="web")
    return appeal_accept(appeal=appeal, actor=bob, item=claimed_item)


@pytest.fixture
def settled_later(claimed_item, carol, dave, erin):
    def settle():
        progress_report_submit(
            item=claimed_item, actor=carol, percent=100, actuals={"新增学位": 6360}
        )
        item_submit_for_verification(item=claimed_item, actor=dave)
        return item_settle(item=claimed_item, actor=erin, evidence="现场核验")

    return settle


@pytest.fixture
def settled(settled_later):
    return settled_later()


def _page(client, appeal):
    return client.get(reverse("public:track_detail", args=[appeal.tracking_number]))


def _rate(client, appeal, **data):
    """A rating as the resident sends it from the link in their notice."""
    url = reverse("public:track_rate", args=[appeal.tracking_number])
    return client.post(url, {"key": rating_key(appeal), **data})


def _link(client, appeal):
    return client.get(rating_url(appeal))


def test_no_rating_form_before_settlement_and_posting_is_refused(client, appeal):
    page = _page(client, appeal)
    assert page.context["rating"] == ""
    assert "Rate the result" not in page.text
    response = _rate(client, appeal, result="satisfied")
    assert response.status_code == 302
    assert not FollowUp.objects.exists()
    followed = client.get(response["Location"])
    assert "can be rated once the item that answers it has been settled" in followed.text


def test_rating_lifecycle(client, appeal, settled):
    # Anyone may read the tracking page, but only the link from the notice opens the form.
    assert _page(client, appeal).context["rating"] == "locked"
    page = _link(client, appeal)
    assert page.context["rating"] == "open"
    html = page.text
    assert "<fieldset" in html and "<legend>How satisfied are you with the result?" in html
    assert html.count('type="radio" name="result"') == len(Satisfaction.choices)
    assert reverse("public:track_rate", args=[appeal.tracking_number]) in html

    response = _rate(client, appeal, result="basically_satisfied", note="基本满意，希望再快些")
    assert response.status_code == 302
    followup = FollowUp.objects.get()
    assert followup.appeal == appeal and followup.item == settled and followup.by_appellant
    assert followup.result == "basically_satisfied" and followup.note == "基本满意，希望再快些"
    assert followup.recorded_by is None

    page = client.get(response["Location"])
    assert page.context["rating"] == "rated"
    assert "Thank you: your rating has been recorded." in page.text
    assert "The result has been rated. Thank you." in page.text
    assert 'type="radio"' not in page.text

    # A second rating of the same settlement is refused.
    again = _rate(client, appeal, result="dissatisfied")
    assert again.status_code == 302
    assert FollowUp.objects.count() == 1
    assert "already rated" in client.get(again["Location"]).text


def test_a_logged_in_resident_is_recorded_as_the_rater(client, appeal, settled, alice):
    client.force_login(alice)
    _rate(client, appeal, result="satisfied")
    assert FollowUp.objects.get().recorded_by == alice


def test_rating_without_a_result_shows_the_error_next_to_it(client, appeal, settled):
    response = _rate(client, appeal, note="没选")
    assert response.status_code == 200
    assert "result" in response.context["rating_form"].errors
    assert 'class="field-error"' in response.text
    assert "没选" in response.text  # the note is kept
    assert not FollowUp.objects.exists()


@pytest.mark.parametrize(
    "data", [{"result": "delighted"}, {"result": "satisfied", "note": "字" * 10_001}]
)
def test_bad_rating_input_is_refused(client, appeal, settled, data):
    response = _rate(client, appeal, **data)
    assert response.status_code == 200
    assert response.context["rating_form"].errors
    assert not FollowUp.objects.exists()


def test_after_reopen_and_settle_again_it_can_be_rated_again(client, appeal, settled, erin, dave):
    _rate(client, appeal, result="dissatisfied")
    item = item_reopen(item=settled, actor=erin, reason="仍有问题")
    assert _page(client, appeal).context["rating"] == ""
    item_submit_for_verification(item=item, actor=dave)
    item_settle(item=item, actor=erin, evidence="再次核验")
    assert _link(client, appeal).context["rating"] == "open"
    _rate(client, appeal, result="satisfied")
    assert FollowUp.objects.count() == 2


def test_unknown_numbers_are_404(client, appeal, settled):
    unknown = reverse("public:track_rate", args=["210101-ZZZZZZ"])
    assert client.post(unknown, {"result": "satisfied"}).status_code == 404
    assert not FollowUp.objects.exists()


def test_a_lower_case_number_rates_the_same_appeal(client, appeal, settled):
    url = reverse("public:track_rate", args=[appeal.tracking_number.lower()])
    response = client.post(url, {"result": "satisfied", "key": rating_key(appeal)})
    assert response.status_code == 302
    assert FollowUp.objects.get().appeal == appeal


def test_the_public_tracking_number_alone_cannot_forge_a_rating(client, appeal, settled):
    """The forgery of issue 14: read a settled appeal's number from the public
    Open311 list and post 不满意 to its rating URL. Refused, nothing stored, and
    the real resident can still rate afterwards."""
    listed = client.get("/open311/v2/requests.json", {"status": "closed"}).json()
    number = next(
        r["service_request_id"] for r in listed if r["service_request_id"] == appeal.tracking_number
    )
    url = reverse("public:track_rate", args=[number])
    for data in [
        {"result": "dissatisfied"},
        {"result": "dissatisfied", "key": ""},
        {"result": "dissatisfied", "key": "0" * 32},
        {"result": "dissatisfied", "key": number},
    ]:
        response = client.post(url, data)
        assert response.status_code == 403
        assert "Only the resident who filed this appeal can rate it" in response.text
    assert not FollowUp.objects.exists()

    assert _rate(client, appeal, result="satisfied").status_code == 302
    assert FollowUp.objects.get().result == "satisfied"


def test_a_wrong_key_in_the_link_is_refused_on_the_page(client, appeal, settled):
    response = client.get(
        reverse("public:track_rate", args=[appeal.tracking_number]), {"key": "f" * 32}
    )
    assert response.status_code == 403
    assert response.context["rating"] == "locked"
    assert "This rating link is not valid" in response.text


def test_another_residents_account_cannot_rate(client, appeal, settled, alice):
    client.force_login(alice)  # not the account that filed the appeal
    assert _page(client, appeal).context["rating"] == "locked"
    url = reverse("public:track_rate", args=[appeal.tracking_number])
    assert client.post(url, {"result": "dissatisfied"}).status_code == 403
    assert not FollowUp.objects.exists()


def test_the_filers_own_account_rates_without_a_link(
    client, claimed_item, bob, alice, settled_later
):
    appeal = appeal_accept(
        appeal=appeal_submit(title="我家门口路灯不亮", channel="web", submitter=alice),
        actor=bob,
        item=claimed_item,
    )
    settled_later()
    client.force_login(alice)
    assert _page(client, appeal).context["rating"] == "open"
    url = reverse("public:track_rate", args=[appeal.tracking_number])
    assert client.post(url, {"result": "satisfied"}).status_code == 302
    assert FollowUp.objects.get().recorded_by == alice


def test_the_settlement_notice_invites_a_rating_with_the_link(appeal, settled):
    notice = AppealNotice.objects.get(appeal=appeal, invites_rating=True)
    text = notice_text(notice, site_url="https://shishi.example.cn/")
    assert "https://shishi.example.cn" + rating_url(appeal) in text
    # The key is made when the notice is delivered, never stored with it.
    assert rating_key(appeal) not in notice.message
