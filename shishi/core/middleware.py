from django.conf import settings
from django.shortcuts import render
from django.utils import translation
from django.utils.cache import patch_vary_headers


class LanguageMiddleware:
    """Simplified Chinese unless the person chose another language with the
    switch (Django's language cookie). Unlike Django's LocaleMiddleware it
    ignores the browser's Accept-Language: an office PC with an English
    Windows still shows the Chinese the office works in."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.supported = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = chosen if chosen in self.supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
        response = self.get_response(request)
        patch_vary_headers(response, ["Cookie"])
        response.headers.setdefault("Content-Language", language)
        return response


class RequestSizeLimitMiddleware:
    """Refuse a request body over SHISHI_MAX_REQUEST_BYTES before Django reads it:
    Django limits form fields in memory, not the size of uploaded files."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > settings.SHISHI_MAX_REQUEST_BYTES:
            return render(
                request,
                "413.html",
                {"max_bytes": settings.SHISHI_MAX_REQUEST_BYTES},
                status=413,
            )
        return self.get_response(request)
