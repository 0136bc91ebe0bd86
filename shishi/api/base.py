"""What every view of the REST API shares: who may call it, how a service's
refusal becomes a response, paging, throttling, and the error shapes the
schema documents.

Everything is set on the base classes here rather than as global
REST_FRAMEWORK defaults, so other apps' DRF views (Open311) keep their own."""

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiResponse, inline_serializer
from rest_framework import exceptions, generics, serializers, status
from rest_framework.authentication import SessionAuthentication
from rest_framework.filters import OrderingFilter
from rest_framework.pagination import PageNumberPagination
from rest_framework.permissions import BasePermission
from rest_framework.settings import api_settings
from rest_framework.throttling import AnonRateThrottle, UserRateThrottle
from rest_framework.views import APIView, exception_handler

from shishi.core.views import refusal_text
from shishi.ops.proxy import client_address

from .authentication import HashedTokenAuthentication
from .parsers import PARSERS
from .schema import ApiSchema

# ------------------------------------------------------------- who may call


class StaffWithPerms(BasePermission):
    """Staff accounts only (residents file appeals on the public site), and
    every permission the view lists in `required_perms` (a tuple, or a dict by
    HTTP method, GET also for HEAD and OPTIONS): the same rights the web's
    pages ask for. The services check their own rules again."""

    message = _("The API is for staff accounts with the right to do this.")

    def has_permission(self, request, view) -> bool:
        user = request.user
        if not (user and user.is_authenticated and user.is_active and user.is_staff):
            return False
        perms = getattr(view, "required_perms", ())
        if isinstance(perms, dict):
            method = "GET" if request.method in ("HEAD", "OPTIONS") else request.method
            perms = perms.get(method, ())
        return user.has_perms(perms)


# ------------------------------------------------------- refusals → responses


def service_exception_handler(exc, context):
    """A service's django ValidationError is a 400 naming the fields, as DRF's
    own validation errors do; its PermissionDenied a 403 with its reason."""
    if isinstance(exc, DjangoValidationError):
        if hasattr(exc, "error_dict"):
            detail = {
                api_settings.NON_FIELD_ERRORS_KEY if field == NON_FIELD_ERRORS else field: messages
                for field, messages in exc.message_dict.items()
            }
        else:
            detail = {api_settings.NON_FIELD_ERRORS_KEY: exc.messages}
        exc = exceptions.ValidationError(detail)
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(refusal_text(exc))
    return exception_handler(exc, context)


# ---------------------------------------------------------- paging, limits


class Pagination(PageNumberPagination):
    page_size_query_param = "page_size"

    @property
    def page_size(self) -> int:
        return settings.SHISHI_API_PAGE_SIZE

    @property
    def max_page_size(self) -> int:
        return settings.SHISHI_API_MAX_PAGE_SIZE


class _SettingsRate:
    """DRF reads throttle rates once, at import; these read them per request,
    so SHISHI_API_*_RATE (and a test's override) take effect."""

    setting = ""

    def get_rate(self):
        return getattr(settings, self.setting) or None

    def get_ident(self, request):
        # DRF's own trusts X-Forwarded-For, which any client can write: the
        # address the other limits use instead (the proxy's X-Real-IP when
        # SHISHI_BEHIND_PROXY, else the peer).
        return client_address(request) or "unknown"


class UserThrottle(_SettingsRate, UserRateThrottle):
    scope = "api_user"
    setting = "SHISHI_API_USER_RATE"


class AnonThrottle(_SettingsRate, AnonRateThrottle):
    scope = "api_anon"
    setting = "SHISHI_API_ANON_RATE"


# ----------------------------------------------------------- the base views


class ApiMixin:
    schema = ApiSchema()
    authentication_classes = [HashedTokenAuthentication, SessionAuthentication]
    parser_classes = PARSERS
    permission_classes = [StaffWithPerms]
    throttle_classes = [UserThrottle, AnonThrottle]
    required_perms: tuple[str, ...] | dict[str, tuple[str, ...]] = ()

    def get_exception_handler(self):
        return service_exception_handler

    def initial(self, request, *args, **kwargs):
        # DRF's own order, but the limits come before the refusals: a flood of
        # requests without credentials is limited too (a bad token is 401 at once).
        self.format_kwarg = self.get_format_suffix(**kwargs)
        request.accepted_renderer, request.accepted_media_type = self.perform_content_negotiation(
            request
        )
        request.version, request.versioning_scheme = self.determine_version(
            request, *args, **kwargs
        )
        self.perform_authentication(request)
        self.check_throttles(request)
        self.check_permissions(request)


class ApiView(ApiMixin, APIView):
    """One write operation: a nested InputSerializer checks the shapes, one
    service call does the work, an output serializer says what it became."""


class ListView(ApiMixin, generics.ListAPIView):
    """A plain read: a selector's QuerySet, filtered, ordered and paged."""

    pagination_class = Pagination
    filter_backends = [DjangoFilterBackend, OrderingFilter]


class DetailView(ApiMixin, generics.RetrieveAPIView):
    pass


# ------------------------------------------------------ documented errors

_detail = inline_serializer("ErrorDetail", fields={"detail": serializers.CharField()})
_field_errors = OpenApiResponse(
    response={
        "type": "object",
        "description": "Field name (or non_field_errors) → list of messages; nested for lists of objects.",
        "additionalProperties": {},
    },
    description="Bad input: the messages name the fields that were wrong.",
)

ERRORS = {
    status.HTTP_401_UNAUTHORIZED: OpenApiResponse(_detail, "No or bad credentials."),
    status.HTTP_403_FORBIDDEN: OpenApiResponse(_detail, "Not allowed to do this."),
    status.HTTP_429_TOO_MANY_REQUESTS: OpenApiResponse(
        _detail, "Too many requests: see the Retry-After header."
    ),
}
NOT_FOUND = {status.HTTP_404_NOT_FOUND: OpenApiResponse(_detail, "No such object (or page).")}
BAD_INPUT = {status.HTTP_400_BAD_REQUEST: _field_errors}


def responses(ok: dict, *, not_found: bool = True, bad_input: bool = False) -> dict:
    """A view's documented responses: its success, and the errors it can give."""
    return {
        **ok,
        **(BAD_INPUT if bad_input else {}),
        **ERRORS,
        **(NOT_FOUND if not_found else {}),
    }
