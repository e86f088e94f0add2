"""View decorators for JSON APIs."""
import functools

from django.http import JsonResponse


def json_login_required(view):
    """Answers 403 with a JSON error, instead of Django's redirect to a login page, when the request's user
    is not signed in: an API client has no login page to follow."""
    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return JsonResponse({"error": "sign in first"}, status=403)
        return view(request, *args, **kwargs)
    return wrapper
