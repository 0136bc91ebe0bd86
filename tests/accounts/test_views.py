"""Logging in and out, throttled logins, signing up, a resident's own appeals,
and /work/ sending each role to its page."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from shishi.intake.services import appeal_submit
from shishi.org.services import user_create

pytestmark = pytest.mark.django_db

User = get_user_model()
LOGIN = reverse("accounts:login")
SIGNUP = reverse("accounts:signup")
MY_APPEALS = reverse("accounts:my_appeals")
HOME = reverse("accounts:home")


@pytest.fixture(autouse=True)
def english(settings):
    settings.LANGUAGE_CODE = "en"


def _login(client, username, password):
    return client.post(LOGIN, {"username": username, "password": password})


def _logged_in_as(client):
    return client.get(MY_APPEALS).wsgi_request.user


# ---------------------------------------------------------------- logging in


def test_login_page_uses_our_template(client, db):
    response = client.get(LOGIN)
    assert response.status_code == 200
    assert "accounts/login.html" in [t.name for t in response.templates]
    assert 'name="username"' in response.text and 'name="password"' in response.text
    assert SIGNUP in response.text


def test_login_and_go_home(client, alice):
    response = _login(client, "alice", "pw-alice-1")
    assert response.status_code == 302 and response["Location"] == HOME
    assert _logged_in_as(client) == alice


def test_wrong_password_shows_an_error(client, alice):
    response = _login(client, "alice", "wrong")
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert not _logged_in_as(client).is_authenticated


def test_login_respects_a_safe_next_only(client, alice):
    response = client.post(
        LOGIN, {"username": "alice", "password": "pw-alice-1", "next": "/track/"}
    )
    assert response["Location"] == "/track/"
    client.logout()
    response = client.post(
        LOGIN, {"username": "alice", "password": "pw-alice-1", "next": "https://evil.example/"}
    )
    assert response["Location"] == HOME


def test_five_failures_lock_the_username_out_but_not_others(client, alice, bob, settings):
    for _attempt in range(4):
        assert _login(client, "alice", "wrong").status_code == 200
    # The fifth failure is the limit: its answer already says so.
    assert _login(client, "alice", "wrong").status_code == 429
    # Even the right password is refused now.
    locked = _login(client, "alice", "pw-alice-1")
    assert locked.status_code == 429
    assert "accounts/locked_out.html" in [t.name for t in locked.templates]
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    assert f"logins for it are paused for {minutes} minutes" in locked.text
    assert not _logged_in_as(client).is_authenticated
    # Another username from the same address is not affected.
    assert _login(client, "bob", "pw-bob-1").status_code == 302
    assert _logged_in_as(client) == bob


def test_guessing_across_usernames_from_one_address_is_locked(client, alice, bob, settings):
    # Issue 18: 100 guesses over 25 usernames (4 each, under the per-username
    # limit) from one address used to go on for ever.
    names = ["alice", "bob"] + [f"user{n}" for n in range(23)]
    codes = [_login(client, names[n % 25], f"guess-{n}").status_code for n in range(100)]
    limit = settings.SHISHI_LOGIN_ADDRESS_FAILURE_LIMIT
    assert codes[: limit - 1] == [200] * (limit - 1)
    assert set(codes[limit - 1 :]) == {429}
    # The address is locked, even with a right password.
    assert _login(client, "alice", "pw-alice-1").status_code == 429
    assert not _logged_in_as(client).is_authenticated
    # Another address is not.
    response = client.post(
        LOGIN, {"username": "bob", "password": "pw-bob-1"}, REMOTE_ADDR="10.1.2.3"
    )
    assert response.status_code == 302


def test_logout_is_post_only(client, alice):
    client.force_login(alice)
    assert client.get(reverse("accounts:logout")).status_code == 405
    assert _logged_in_as(client) == alice
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302 and response["Location"] == reverse("public:ledger")
    assert not _logged_in_as(client).is_authenticated


def test_password_change(client, alice):
    url = reverse("accounts:password_change")
    assert client.get(url)["Location"].startswith(LOGIN)  # anonymous → login
    client.force_login(alice)
    page = client.get(url)
    assert page.status_code == 200
    assert "accounts/password_change.html" in [t.name for t in page.templates]
    bad = client.post(
        url,
        {"old_password": "nope", "new_password1": "Wh1te-Ho4se!", "new_password2": "Wh1te-Ho4se!"},
    )
    assert bad.status_code == 200 and "old_password" in bad.context["form"].errors
    response = client.post(
        url,
        {
            "old_password": "pw-alice-1",
            "new_password1": "Wh1te-Ho4se!",
            "new_password2": "Wh1te-Ho4se!",
        },
    )
    assert response["Location"] == reverse("accounts:password_change_done")
    alice.refresh_from_db()
    assert alice.check_password("Wh1te-Ho4se!")
    done = client.get(response["Location"])
    assert "Your password has been changed" in done.text


# ---------------------------------------------------------------- signing up

GOOD = {
    "username": "zhaoliu",
    "full_name": "赵六",
    "phone": "13800000000",
    "email": "zhaoliu@example.com",
    "password1": "Qing-Shan-88!",
    "password2": "Qing-Shan-88!",
}


def test_signup_creates_a_resident_logs_in_and_shows_my_appeals(client, db):
    response = client.post(SIGNUP, GOOD)
    assert response.status_code == 302 and response["Location"] == MY_APPEALS
    user = User.objects.get(username="zhaoliu")
    assert user.full_name == "赵六" and user.phone == "13800000000"
    assert list(user.groups.values_list("name", flat=True)) == ["居民"]
    assert not user.is_staff and user.check_password("Qing-Shan-88!")
    assert user.has_perm("intake.add_appeal") and not user.has_perm("intake.view_appeal")
    assert _logged_in_as(client) == user


def test_signup_contact_is_optional(client, db):
    response = client.post(SIGNUP, {**GOOD, "phone": "", "email": ""})
    assert response.status_code == 302


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"password2": "Something-else-1"}, "password2"),
        ({"password1": "123", "password2": "123"}, "password2"),
        ({"password1": "password", "password2": "password"}, "password2"),
        ({"password1": "zhaoliu-1", "password2": "zhaoliu-1"}, "password2"),
        ({"username": "bad name!"}, "username"),
        ({"username": ""}, "username"),
        ({"full_name": ""}, "full_name"),
        ({"email": "no-at-sign"}, "email"),
    ],
)
def test_signup_bad_input(client, db, change, field):
    response = client.post(SIGNUP, {**GOOD, **change})
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert 'class="field-error"' in response.text
    assert not User.objects.filter(username=GOOD["username"]).exists()
    assert not _logged_in_as(client).is_authenticated


def test_signup_password_mismatch_message(client, db):
    response = client.post(SIGNUP, {**GOOD, "password2": "Something-else-1"})
    assert "The two password fields didn’t match." in response.text


@pytest.mark.parametrize("username", ["alice", "Alice"])
def test_signup_username_taken(client, alice, username):
    response = client.post(SIGNUP, {**GOOD, "username": username})
    assert response.status_code == 200
    assert response.context["form"].errors["username"]
    assert User.objects.filter(username__iexact="alice").count() == 1


def test_signup_does_not_tell_whether_a_username_exists(client, alice):
    # Issue 18: the answer for a taken name is the answer for a reserved one,
    # and says nothing of an existing account.
    taken = client.post(SIGNUP, {**GOOD, "username": "alice"}).context["form"].errors
    reserved = client.post(SIGNUP, {**GOOD, "username": "admin"}).context["form"].errors
    assert taken["username"] == reserved["username"]
    assert "exist" not in taken["username"][0] and "已存在" not in taken["username"][0]
    assert not User.objects.filter(username="admin").exists()


def test_signup_attempts_are_limited_per_address(client, db, settings):
    settings.SHISHI_SIGNUP_RATE_PER_HOUR = 3
    codes = [
        client.post(SIGNUP, {**GOOD, "username": f"taken{n}", "password2": "x"}).status_code
        for n in range(3)
    ]
    assert codes == [200, 200, 200]
    response = client.post(SIGNUP, GOOD)
    assert response.status_code == 429
    assert not User.objects.filter(username=GOOD["username"]).exists()
    # Another address is not held up.
    other = client.post(SIGNUP, GOOD, REMOTE_ADDR="10.9.8.7")
    assert other.status_code == 302


def test_a_logged_in_user_is_sent_home_from_signup(client, alice):
    client.force_login(alice)
    assert client.get(SIGNUP)["Location"] == HOME


# ------------------------------------------------------------- my appeals


def test_my_appeals_needs_login(client, db):
    response = client.get(MY_APPEALS)
    assert response.status_code == 302 and response["Location"].startswith(LOGIN)


def test_my_appeals_shows_only_my_own_newest_first(client, alice):
    mallory = user_create(username="mallory", full_name="马洛里", roles=["resident"])
    first = appeal_submit(title="第一件", channel="web", submitter=alice)
    second = appeal_submit(title="第二件", channel="web", submitter=alice)
    appeal_submit(title="别人的诉求", channel="web", submitter=mallory)
    appeal_submit(title="匿名的诉求", channel="web")
    client.force_login(alice)
    response = client.get(MY_APPEALS)
    assert [a.title for a in response.context["page"].object_list] == ["第二件", "第一件"]
    html = response.text
    assert "别人的诉求" not in html and "匿名的诉求" not in html
    assert reverse("public:track_detail", args=[first.tracking_number]) in html
    assert second.tracking_number in html
    assert "Received" in html and 'data-label="Status"' in html


def test_my_appeals_is_empty_for_a_new_account(client, alice):
    client.force_login(alice)
    assert "You have not filed any appeal" in client.get(MY_APPEALS).text


def test_my_appeals_paginates_with_a_bounded_query_count(
    client, alice, category, settings, django_assert_max_num_queries
):
    settings.SHISHI_PAGE_SIZE = 100
    for n in range(3):
        appeal_submit(title=f"诉求{n}", channel="web", submitter=alice, category=category)
    client.force_login(alice)
    with django_assert_max_num_queries(8) as few:
        client.get(MY_APPEALS)
    for n in range(32):
        appeal_submit(title=f"更多诉求{n}", channel="web", submitter=alice, category=category)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(MY_APPEALS)
    assert len(response.context["page"].object_list) == 35

    settings.SHISHI_PAGE_SIZE = 30
    page2 = client.get(MY_APPEALS, {"page": 2})
    assert len(page2.context["page"].object_list) == 5
    assert 'rel="prev"' in page2.text


# ------------------------------------------------------------------ /work/


def test_home_sends_anonymous_to_login(client, db):
    response = client.get(HOME)
    assert response.status_code == 302
    assert response["Location"] == f"{LOGIN}?next={HOME}"


@pytest.mark.parametrize(
    ("person", "page"),
    [
        ("alice", "accounts:my_appeals"),
        ("bob", "triage:queue"),
        ("carol", "dispatch:my_items"),
        ("dave", "dispatch:my_items"),
        ("erin", "dispatch:verification"),
    ],
)
def test_home_sends_each_role_to_its_page(client, request, person, page):
    client.force_login(request.getfixturevalue(person))
    response = client.get(HOME)
    assert response.status_code == 302 and response["Location"] == reverse(page)


def test_home_sends_a_viewer_without_other_rights_to_the_dashboard(client, db):
    from django.contrib.auth.models import Permission

    viewer = user_create(username="viewer", full_name="观察员")
    viewer.user_permissions.add(
        Permission.objects.get(content_type__app_label="ledger", codename="view_ledgeritem")
    )
    client.force_login(viewer)
    assert client.get(HOME)["Location"] == reverse("dashboard:index")


# ------------------------------------------------------------------ layout


def test_the_pages_render_in_chinese_too(client, alice, settings):
    settings.LANGUAGE_CODE = "zh-hans"
    for url in [LOGIN, SIGNUP, reverse("public:appeal_new")]:
        response = client.get(url)
        assert response.status_code == 200 and '<html lang="zh-hans">' in response.text
    client.force_login(alice)
    for url in [MY_APPEALS, reverse("accounts:password_change")]:
        assert client.get(url).status_code == 200


def test_the_account_pages_use_our_stylesheet_and_no_external_assets(client, db):
    html = client.get(SIGNUP).text
    assert "/static/shishi/accounts.css" in html
    assert "http://" not in html and "https://" not in html


def test_the_login_link_leads_back_except_from_the_home_page(client, db):
    # From the public ledger a login goes to the person's work (/work/)…
    assert 'href="/accounts/login/"' in client.get("/").text
    # …from any other page, back to that page.
    assert 'href="/accounts/login/?next=/track/"' in client.get("/track/").text
