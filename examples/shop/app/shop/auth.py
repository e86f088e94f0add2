"""HTTP Basic authentication for API clients (scripts, the suites), beside the admin's sessions.

A request with ``Authorization: Basic`` is authenticated by its credentials alone; it carries no session
cookie, so CSRF protection, which guards cookie-authenticated requests, is not needed for it. Wrong
credentials answer 401 at once instead of falling back to anonymous.
"""
import base64
import binascii

from django.contrib.auth import authenticate
from django.http import JsonResponse


class BasicAuthMiddleware:
    """After AuthenticationMiddleware: a Basic ``Authorization`` header sets ``request.user``."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        header = request.META.get("HTTP_AUTHORIZATION", "")
        if header.startswith("Basic "):
            try:
                username, _, password = base64.b64decode(header[6:], validate=True).decode("utf-8").partition(":")
            except (binascii.Error, UnicodeDecodeError):
                return JsonResponse({"error": "the Authorization header is not Basic base64(user:password)"}, status=400)
            user = authenticate(request, username=username, password=password)
            if user is None:
                return JsonResponse({"error": "wrong user or password"}, status=401)
            request.user = user
            request._dont_enforce_csrf_checks = True
        return self.get_response(request)
