from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

ATTRIBUTE_CODE_MAX = 50
VALUE_MAX = 1000


class Datatype(models.TextChoices):
    STRING = "string", _("string (one line)")
    NUMBER = "number", _("number")
    DATETIME = "datetime", _("date and time")
    TEXT = "text", _("text (several lines)")
    SINGLEVALUELIST = "singlevaluelist", _("one value from a list")
    MULTIVALUELIST = "multivaluelist", _("several values from a list")


LIST_DATATYPES = (Datatype.SINGLEVALUELIST, Datatype.MULTIVALUELIST)


class ServiceAttribute(models.Model):
    """A question an Open311 client asks when filing an appeal of one category
    (the service definition's attributes)."""

    category = models.ForeignKey(
        "categories.Category",
        verbose_name=_("category"),
        on_delete=models.PROTECT,
        related_name="open311_attributes",
    )
    code = models.SlugField(_("code"), max_length=ATTRIBUTE_CODE_MAX)
    # False: an informational attribute that asks nothing (Open311's "variable").
    variable = models.BooleanField(_("asks for a value"), default=True)
    datatype = models.CharField(_("datatype"), max_length=20, choices=Datatype.choices)
    required = models.BooleanField(_("required"), default=False)
    datatype_description = models.CharField(_("datatype description"), max_length=200, blank=True)
    order = models.PositiveIntegerField(_("order"), default=1)
    description = models.CharField(_("question"), max_length=500)
    is_active = models.BooleanField(_("active"), default=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("Open311 service attribute")
        verbose_name_plural = _("Open311 service attributes")
        ordering = ["category", "order", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["category", "code"], name="open311_attribute_code_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.category.code}/{self.code}"


class AttributeValue(models.Model):
    """One choice of a list attribute: the key a client sends, the name it shows."""

    attribute = models.ForeignKey(
        ServiceAttribute,
        verbose_name=_("attribute"),
        on_delete=models.CASCADE,
        related_name="values",
    )
    key = models.CharField(_("key"), max_length=100)
    name = models.CharField(_("name"), max_length=200)
    order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("attribute value")
        verbose_name_plural = _("attribute values")
        ordering = ["order", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["attribute", "key"], name="open311_attribute_value_key_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.key}: {self.name}"


class ServiceRequest(models.Model):
    """What an Open311 client sent with an appeal besides the appeal's own
    fields: the key it used, its token and the fields Shishi has no column for."""

    appeal = models.OneToOneField(
        "intake.Appeal",
        verbose_name=_("appeal"),
        on_delete=models.PROTECT,
        related_name="open311",
    )
    api_key = models.ForeignKey(
        "apikeys.ApiKey",
        verbose_name=_("API key"),
        on_delete=models.PROTECT,
        related_name="service_requests",
    )
    token = models.CharField(_("token"), max_length=40, unique=True)
    address_id = models.CharField(_("address id"), max_length=100, blank=True)
    media_url = models.URLField(_("media URL"), max_length=1000, blank=True)
    # The client's own identifiers; private like the submitter's contact data.
    device_id = models.CharField(_("device id"), max_length=100, blank=True)
    account_id = models.CharField(_("account id"), max_length=100, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("Open311 service request")
        verbose_name_plural = _("Open311 service requests")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.token


class AttributeAnswer(models.Model):
    """One value given for one attribute when the appeal was filed (several
    rows for a multi-value list)."""

    appeal = models.ForeignKey(
        "intake.Appeal",
        verbose_name=_("appeal"),
        on_delete=models.PROTECT,
        related_name="open311_answers",
    )
    attribute = models.ForeignKey(
        ServiceAttribute,
        verbose_name=_("attribute"),
        on_delete=models.PROTECT,
        related_name="answers",
    )
    value = models.CharField(_("value"), max_length=VALUE_MAX)

    class Meta:
        verbose_name = _("attribute answer")
        verbose_name_plural = _("attribute answers")
        ordering = ["attribute__order", "pk"]

    def __str__(self) -> str:
        return f"{self.attribute.code}={self.value}"


class QueuedRequest(models.Model):
    """A POST accepted in queued mode (SHISHI_OPEN311_QUEUE): checked, answered
    with its token, and stored here until the drain task files it as an
    appeal (then the row goes, and the token finds its ServiceRequest). One
    row, one INSERT: the request is durable before the client hears of it."""

    token = models.CharField(_("token"), max_length=40, unique=True)
    api_key = models.ForeignKey(
        "apikeys.ApiKey",
        verbose_name=_("API key"),
        on_delete=models.PROTECT,
        related_name="queued_requests",
    )
    category = models.ForeignKey(
        "categories.Category",
        verbose_name=_("category"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    # When the client sent it: the appeal's received time and deadlines count from it.
    received_at = models.DateTimeField(_("received at"))
    # The checked fields of the appeal and its ServiceRequest, and the
    # attribute answers as [attribute id, value] pairs.
    payload = models.JSONField(_("request"))
    # Why the drain could not file it (a rule that changed since it was
    # accepted, e.g. its category went out of use); such a row stays for staff.
    error = models.TextField(_("error"), blank=True)

    class Meta:
        verbose_name = _("queued Open311 request")
        verbose_name_plural = _("queued Open311 requests")
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.token
