"""Shared fixtures: a small district and one named person per role, so every
permission test reads like a sentence (alice the resident cannot…)."""

import datetime as dt

import pytest
from django.core.cache import cache
from django.utils import timezone

from shishi.categories.services import category_create
from shishi.ledger.services import TargetSpec, item_claim, item_create, item_open
from shishi.org.services import unit_create, user_create
from shishi.suggestions import store


@pytest.fixture(autouse=True)
def fast_password_hasher(settings):
    # Real hashers are slow on purpose; tests only need passwords to round-trip.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def empty_cache():
    # Rate limits count in the cache; each test starts with none used.
    cache.clear()


@pytest.fixture(autouse=True)
def plain_static_storage(settings):
    # Outside DEBUG the settings use whitenoise's manifest storage, which needs
    # `collectstatic`; tests render templates without collecting.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def imports_in_the_request(settings):
    # A background thread would use its own connection, outside the test's transaction.
    settings.SHISHI_IMPORT_IN_BACKGROUND = False


@pytest.fixture(autouse=True)
def own_suggestion_models(settings, tmp_path):
    # Tests train on their own databases (the demo's too): into a folder of the
    # test's, never the data folder's, and every test loads afresh.
    settings.SHISHI_SUGGESTIONS_DIR = tmp_path / "suggestions"
    store.forget()
    yield
    store.forget()


@pytest.fixture(autouse=True)
def notice_outboxes(settings, tmp_path):
    # Notices a test delivers (the notices.deliver job) go to the test's own
    # files, never the data folder's outboxes.
    settings.SHISHI_SMS_FILE_PATH = tmp_path / "sms-outbox.jsonl"
    settings.SHISHI_NOTICE_EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


@pytest.fixture
def administrator_client(client):
    """A client logged in as an administrator (the role, and a superuser)."""
    admin = user_create(username="root", full_name="管理员", roles=["administrator"])
    admin.is_staff = admin.is_superuser = True
    admin.save()
    client.force_login(admin)
    return client


@pytest.fixture
def district(db):
    root = unit_create(name="中原区", kind="district")
    street = unit_create(name="林山寨街道", kind="street", parent=root)
    return {
        "district": root,
        "street": street,
        "community": unit_create(name="建设路社区", kind="community", parent=street),
        "education": unit_create(name="区教育局", kind="department", parent=root),
        "transport": unit_create(name="区城建局", kind="department", parent=root),
    }


@pytest.fixture
def alice(db):
    """A resident."""
    return user_create(
        username="alice", full_name="艾丽斯", roles=["resident"], password="pw-alice-1"
    )


@pytest.fixture
def bob(db):
    """An intake clerk."""
    return user_create(username="bob", full_name="鲍勃", roles=["clerk"], password="pw-bob-1")


@pytest.fixture
def carol(district):
    """A unit handler at the education bureau."""
    return user_create(
        username="carol", full_name="卡罗尔", roles=["unit_handler"], units=[district["education"]]
    )


@pytest.fixture
def hank(district):
    """A unit handler at the construction bureau (another unit)."""
    return user_create(
        username="hank", full_name="汉克", roles=["unit_handler"], units=[district["transport"]]
    )


@pytest.fixture
def dave(district):
    """A responsible leader (领办领导) of the district: claims for its units."""
    return user_create(
        username="dave", full_name="戴夫", roles=["leader"], units=[district["district"]]
    )


@pytest.fixture
def lena(district):
    """Another leader of the district."""
    return user_create(
        username="lena", full_name="莉娜", roles=["leader"], units=[district["district"]]
    )


@pytest.fixture
def erin(db):
    """A supervisor (督办, verifier)."""
    return user_create(username="erin", full_name="艾琳", roles=["supervisor"])


@pytest.fixture
def category(db):
    return category_create(name="教育优先", code="education")


@pytest.fixture
def make_item(bob, category):
    """Create (and by default open) a project item with one target."""

    def make(*, open_it=True, title="新增中小学学位", targets=None, deadline=None, **kwargs):
        item = item_create(
            kind=kwargs.pop("kind", "project"),
            title=title,
            category=kwargs.pop("category", category),
            actor=kwargs.pop("actor", bob),
            deadline=deadline or timezone.now() + dt.timedelta(days=90),
            targets=targets if targets is not None else [TargetSpec("新增学位", "个", 6360)],
            **kwargs,
        )
        if open_it:
            item = item_open(item=item, actor=bob)
        return item

    return make


@pytest.fixture
def claimed_item(make_item, dave, district):
    return item_claim(item=make_item(), actor=dave, lead_unit=district["education"])
