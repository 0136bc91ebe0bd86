import pytest

from shishi.intake.services import appeal_submit, notice_record


@pytest.fixture(autouse=True)
def outboxes(settings, tmp_path):
    """Every test sends into its own files, in Chinese, with a fixed site URL."""
    settings.SHISHI_SMS_BACKEND = "file"
    settings.SHISHI_SMS_FILE_PATH = tmp_path / "sms.jsonl"
    settings.SHISHI_NOTICE_EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.SHISHI_NOTICE_CHANNELS = ["email", "sms"]
    settings.SHISHI_NOTICE_RETRY_BASE = 60
    settings.SHISHI_NOTICE_MAX_ATTEMPTS = 3
    settings.SHISHI_SITE_URL = "https://shishi.example"
    settings.LANGUAGE_CODE = "en"
    return tmp_path


@pytest.fixture
def make_notice(db):
    def make(
        message="您的诉求已答复：路灯已修好。",
        *,
        phone="13800001234",
        email="wang@example.com",
        **kw,
    ):
        appeal = appeal_submit(
            title="路灯不亮",
            channel="hotline",
            submitter_phone=phone,
            submitter_email=email,
        )
        return notice_record(appeal=appeal, message=message, **kw)

    return make
