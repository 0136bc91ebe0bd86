import datetime as dt

import pytest
from django.utils import timezone

from shishi.org.services import unit_create, user_create
from shishi.programmes import services


@pytest.fixture
def root(db):
    """An administrator (superuser): sets up programmes and the claims network."""
    user = user_create(username="root", full_name="管理员", roles=["administrator"])
    user.is_staff = user.is_superuser = True
    user.save()
    return user


@pytest.fixture
def programme(root, district):
    return services.programme_create(
        code="wrzwq", name="万人助万企", actor=root, lead_unit=district["education"]
    )


@pytest.fixture
def claims_programme(root):
    return services.programme_create(code="lp", name="灾后理赔", actor=root)


@pytest.fixture
def network(root, claims_programme, district):
    station = services.claim_station_create(
        programme=claims_programme,
        name="林山寨街道人保理赔工作站",
        unit=district["street"],
        actor=root,
    )
    point = services.claim_point_create(
        station=station, name="建设路社区登记点", community=district["community"], actor=root
    )
    return station, point


@pytest.fixture
def yesterday():
    return timezone.localdate() - dt.timedelta(days=1)


@pytest.fixture
def enterprise(district):
    return unit_create(name="郑州金泰制罐有限公司", kind="enterprise", parent=district["district"])
