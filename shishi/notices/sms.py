"""SMS backends: one interface, chosen by SHISHI_SMS_BACKEND. `send` returns
the provider's message id, or raises SmsError (the message says why, without
the number)."""

import json
import re
import sys
import threading
from pathlib import Path

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string


class SmsError(Exception):
    """The message was not sent; trying again later may work."""


def mask_phone(phone: str) -> str:
    """138****1234: enough for staff to tell numbers apart, not to call them."""
    digits = re.sub(r"\D", "", phone or "")
    if len(digits) < 7:
        return "***"
    return f"{digits[:3]}****{digits[-4:]}"


class BaseSmsBackend:
    def send(self, *, phone: str, text: str) -> str:
        raise NotImplementedError


class FileBackend(BaseSmsBackend):
    """Appends each message as one JSON line to a file: the outbox of a demo or
    a test installation (the stand-in for the provider, so it holds the number)."""

    _lock = threading.Lock()

    def __init__(self, path: Path | str | None = None):
        self.path = Path(path or settings.SHISHI_SMS_FILE_PATH)

    def send(self, *, phone: str, text: str) -> str:
        sent_at = timezone.now()
        line = json.dumps(
            {"to": phone, "text": text, "at": sent_at.isoformat()}, ensure_ascii=False
        )
        with self._lock:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self.path.open("a", encoding="utf-8") as outbox:
                outbox.write(line + "\n")
        return f"file:{sent_at.timestamp():.6f}"


class ConsoleBackend(BaseSmsBackend):
    """Prints each message with the number masked."""

    def __init__(self, stream=None):
        self.stream = stream or sys.stdout

    def send(self, *, phone: str, text: str) -> str:
        self.stream.write(f"[SMS to {mask_phone(phone)}] {text}\n")
        self.stream.flush()
        return "console"


class TencentBackend(BaseSmsBackend):
    """Tencent Cloud SMS (tencentcloud-sdk-python-sms). The SDK is imported only
    when this backend is made; the template takes the notice's text as {1}."""

    def __init__(self, client=None):
        from tencentcloud.sms.v20210111 import models

        self.models = models
        missing = [
            name
            for name in ("APP_ID", "SIGN_NAME", "TEMPLATE_ID")
            if not getattr(settings, f"SHISHI_SMS_TENCENT_{name}")
        ]
        if missing:
            raise SmsError(
                "Tencent Cloud SMS needs "
                + ", ".join(f"SHISHI_SMS_TENCENT_{name}" for name in missing)
            )
        self.client = client or self._client()

    def _client(self):
        from tencentcloud.common import credential
        from tencentcloud.sms.v20210111 import sms_client

        cred = credential.Credential(
            settings.SHISHI_SMS_TENCENT_SECRET_ID, settings.SHISHI_SMS_TENCENT_SECRET_KEY
        )
        return sms_client.SmsClient(cred, settings.SHISHI_SMS_TENCENT_REGION)

    @staticmethod
    def _e164(phone: str) -> str:
        digits = re.sub(r"[^\d+]", "", phone)
        return digits if digits.startswith("+") else f"+86{digits}"

    def send(self, *, phone: str, text: str) -> str:
        from tencentcloud.common.exception.tencent_cloud_sdk_exception import (
            TencentCloudSDKException,
        )

        request = self.models.SendSmsRequest()
        request.PhoneNumberSet = [self._e164(phone)]
        request.SmsSdkAppId = settings.SHISHI_SMS_TENCENT_APP_ID
        request.SignName = settings.SHISHI_SMS_TENCENT_SIGN_NAME
        request.TemplateId = settings.SHISHI_SMS_TENCENT_TEMPLATE_ID
        request.TemplateParamSet = [text]
        try:
            response = self.client.SendSms(request)
        except TencentCloudSDKException as error:
            raise SmsError(f"Tencent Cloud: {error.code}: {error.message}") from None
        status = (response.SendStatusSet or [None])[0]
        if status is None:
            raise SmsError("Tencent Cloud: no send status in the response")
        if status.Code != "Ok":
            raise SmsError(f"Tencent Cloud: {status.Code}: {status.Message}")
        return status.SerialNo or ""


BACKENDS = {"file": FileBackend, "console": ConsoleBackend, "tencent": TencentBackend}


def get_backend() -> BaseSmsBackend:
    name = settings.SHISHI_SMS_BACKEND
    backend_class = BACKENDS.get(name) or import_string(name)
    return backend_class()
