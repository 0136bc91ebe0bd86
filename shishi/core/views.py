"""What every staff page shares: who may open it, and how a service's refusal
reaches the form that asked for it."""

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms import Form
from django.utils.translation import gettext


def _guarded(allowed: Callable) -> Callable:
    """Anonymous visitors are sent to the login page; a logged-in user for whom
    allowed(user) is false gets 403 (never the data)."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not request.user.is_active or not allowed(request.user):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def permission_required(*perms: str) -> Callable:
    """The view needs every one of `perms`."""
    return _guarded(lambda user: user.has_perms(perms))


def any_permission_required(*perms: str) -> Callable:
    """The view needs at least one of `perms`."""
    return _guarded(lambda user: any(user.has_perm(perm) for perm in perms))


def refusal_text(error: Exception) -> str:
    """The words of a service's ValidationError or PermissionDenied, for a message."""
    if isinstance(error, ValidationError):
        return " ".join(error.messages)
    return str(error) or gettext("You may not do this.")


def add_service_errors(form: Form, error: Exception) -> None:
    """Show a service's refusal on the form: a ValidationError next to the field
    it names when the form has that field, anything else above the form."""
    if not isinstance(error, ValidationError):
        form.add_error(None, refusal_text(error))
    elif not hasattr(error, "error_dict"):
        form.add_error(None, error)
    else:
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)


def submit_to_service(form: Form, perform: Callable[[dict], object]) -> tuple[bool, int]:
    """Call `perform(cleaned_data)` when the bound form is valid: (whether it
    was done, the status to show the form again with). A service's refusal goes
    onto the form; a PermissionDenied shows it with 403."""
    if not form.is_valid():
        return False, 200
    try:
        perform(form.cleaned_data)
    except ValidationError as error:
        add_service_errors(form, error)
        return False, 200
    except PermissionDenied as error:
        add_service_errors(form, error)
        return False, 403
    return True, 200
