"""Issue 18: a non-superuser 管理员 could make themselves a superuser in the
admin. Only a superuser grants (or touches) superuser status."""

import pytest

from shishi.org.models import User
from shishi.org.services import user_create

pytestmark = pytest.mark.django_db


def _change_form_data(user: User, **changes) -> dict:
    data = {
        "username": user.username,
        "full_name": user.full_name,
        "phone": "",
        "email": "",
        "is_active": "on",
        "is_staff": "on",
        "groups": [str(g.pk) for g in user.groups.all()],
        "last_login_0": "",
        "last_login_1": "",
        "date_joined_0": user.date_joined.strftime("%Y-%m-%d"),
        "date_joined_1": user.date_joined.strftime("%H:%M:%S"),
        "memberships-TOTAL_FORMS": "0",
        "memberships-INITIAL_FORMS": "0",
        "memberships-MIN_NUM_FORMS": "0",
        "memberships-MAX_NUM_FORMS": "1000",
    }
    data.update(changes)
    return data


@pytest.fixture
def staff_admin(client):
    admin = user_create(username="admin2", full_name="管理员二", roles=["administrator"])
    admin.is_staff = True
    admin.save()
    client.force_login(admin)
    return admin


def test_a_staff_administrator_cannot_make_themselves_superuser(client, staff_admin):
    url = f"/admin/org/user/{staff_admin.pk}/change/"
    page = client.get(url)
    assert page.status_code == 200
    assert 'name="is_superuser"' not in page.text
    response = client.post(url, _change_form_data(staff_admin, is_superuser="on"))
    assert response.status_code == 302, response.context and response.context["adminform"].errors
    staff_admin.refresh_from_db()
    assert not staff_admin.is_superuser
    # Nor someone else.
    bob = user_create(username="bob2", full_name="鲍勃", roles=["clerk"])
    bob.is_staff = True
    bob.save()
    client.post(f"/admin/org/user/{bob.pk}/change/", _change_form_data(bob, is_superuser="on"))
    bob.refresh_from_db()
    assert not bob.is_superuser


def test_a_staff_administrator_cannot_take_over_a_superuser(client, staff_admin):
    root = user_create(username="root2", full_name="根", roles=["administrator"], password="pw-r-1")
    root.is_staff = root.is_superuser = True
    root.save()
    response = client.post(
        f"/admin/org/user/{root.pk}/password/",
        {"usable_password": "true", "password1": "Taken-Over-1!", "password2": "Taken-Over-1!"},
    )
    assert response.status_code == 403
    root.refresh_from_db()
    assert root.check_password("pw-r-1")
    client.post(
        f"/admin/org/user/{root.pk}/change/", _change_form_data(root, is_active="", is_staff="")
    )
    root.refresh_from_db()
    assert root.is_active and root.is_superuser


def test_a_superuser_may_grant_superuser(administrator_client):
    lena = user_create(username="lena2", full_name="莉娜", roles=["administrator"])
    lena.is_staff = True
    lena.save()
    response = administrator_client.post(
        f"/admin/org/user/{lena.pk}/change/", _change_form_data(lena, is_superuser="on")
    )
    assert response.status_code == 302
    lena.refresh_from_db()
    assert lena.is_superuser
