"""The upload endpoints (JSON), for a signed-in user, each upload its starter's. urls.py mounts them under
upload/, the prefix the edge routes uploads on (EdgeRouter's uploadPathPrefixes, `/upload/` by default:
no request buffering and a 5 GiB body, where every other route takes 10 MiB).

    POST   upload/                    {"filename": "a.mov", "content_type": "video/quicktime"} -> 201 {"id", "key"}
    PUT    upload/<id>/parts/<n>      the part's bytes (5 MiB at least, but the last)     -> 200 {"number", "etag", "size"}
    POST   upload/<id>/complete                                                           -> 200 {"id", "key", "size"}
    DELETE upload/<id>                                                                    -> 204

CSRF protection applies as to any view: a browser sends the csrftoken cookie's value in X-CSRFToken.
"""
import functools
import json

from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.views.decorators.http import require_http_methods

from . import uploads
from .decorators import json_login_required

# A part is read into memory to be sent to S3: this bounds a request's memory.
DEFAULT_MAX_PART_BYTES = 64 * 1024 * 1024


def _signed_in(view):
    """json_login_required, and an UploadError answered as JSON with its status."""
    @json_login_required
    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except uploads.UploadError as error:
            return JsonResponse({"error": str(error)}, status=error.status)
    return wrapper


@require_http_methods(["POST"])
@_signed_in
def start(request):
    try:
        body = json.loads(request.body or b"{}")
    except ValueError:
        return JsonResponse({"error": "the body is not JSON: expected {\"filename\": ..., \"content_type\": ...}"}, status=400)
    if not isinstance(body, dict) or not isinstance(body.get("filename"), str):
        return JsonResponse({"error": f"filename is {body.get('filename') if isinstance(body, dict) else body!r}: expected a string"}, status=400)
    upload = uploads.start(body["filename"], body.get("content_type") or "application/octet-stream", owner=request.user)
    return JsonResponse({"id": str(upload.id), "key": upload.key, "expires_at": upload.expires_at.isoformat()}, status=201)


@require_http_methods(["PUT"])
@_signed_in
def part(request, upload_id, number):
    limit = int(getattr(settings, "UPLOADS_MAX_PART_BYTES", DEFAULT_MAX_PART_BYTES))
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = -1
    if not 0 < length <= limit:
        return JsonResponse({"error": f"Content-Length {request.META.get('CONTENT_LENGTH')!r}: expected 1 to {limit} bytes"},
                            status=413 if length > limit else 411)
    # request.read(), not request.body: the part is bounded above, and not by DATA_UPLOAD_MAX_MEMORY_SIZE.
    data = request.read(length)
    stored = uploads.put_part(upload_id, number, data, owner=request.user)
    return JsonResponse({"number": stored.number, "etag": stored.etag, "size": stored.size})


@require_http_methods(["POST"])
@_signed_in
def complete(request, upload_id):
    upload, size = uploads.complete(upload_id, owner=request.user)
    return JsonResponse({"id": str(upload.id), "key": upload.key, "size": size})


@require_http_methods(["DELETE"])
@_signed_in
def abort(request, upload_id):
    uploads.abort(upload_id, owner=request.user)
    return HttpResponse(status=204)
