"""The asset library's API: register an upload the kit completed, read what the worker found, download.

    GET  /api/assets/                 -> 200 {"assets": [your latest 100]}
    POST /api/assets/                 {"upload": "<id of a completed upload of yours>"} -> 201 the asset
    GET  /api/assets/<id>             -> 200 the asset (state, size, sha256, thumbnail)
    GET  /api/assets/<id>/download    -> 200, empty: X-Accel-Redirect, so the edge streams it from S3
    GET  /api/assets/<id>/thumbnail   -> the same for the thumbnail (404 until there is one)
"""
import json

from django.db import connection
from django.http import JsonResponse
from django.views.decorators.http import require_http_methods
from k8s_topology_django.accel import accel_redirect
from k8s_topology_django.decorators import json_login_required
from k8s_topology_django.models import MultipartUpload

from shop.models import Asset
from shop.tasks import process_asset


def _own(request, asset_id):
    return Asset.objects.select_related("upload").filter(id=asset_id, upload__owner=request.user).first()


@require_http_methods(["GET", "POST"])
@json_login_required
def collection(request):
    if request.method == "GET":
        mine = Asset.objects.select_related("upload").filter(upload__owner=request.user).order_by("-created_at")[:100]
        return JsonResponse({"assets": [asset.as_json() for asset in mine]})
    try:
        upload_id = json.loads(request.body or b"{}").get("upload")
    except (ValueError, AttributeError):
        return JsonResponse({"error": "the body is not {\"upload\": \"<id>\"}"}, status=400)
    upload = MultipartUpload.objects.filter(id=upload_id, owner=request.user).first() if upload_id else None
    if upload is None:
        return JsonResponse({"error": f"no upload {upload_id!r} of yours"}, status=404)
    if upload.state != MultipartUpload.State.COMPLETED:
        return JsonResponse({"error": f"upload {upload_id} is {upload.state}: complete it first"}, status=409)
    asset, _ = Asset.objects.get_or_create(upload=upload)
    # The tenants flavour's schema goes with the task: the worker's connection starts in the public schema.
    process_asset.delay(str(asset.id), schema=getattr(connection, "schema_name", None))
    return JsonResponse(asset.as_json(), status=201)


@require_http_methods(["GET"])
@json_login_required
def detail(request, asset_id):
    asset = _own(request, asset_id)
    return JsonResponse(asset.as_json()) if asset else JsonResponse({"error": "no such asset"}, status=404)


@require_http_methods(["GET"])
@json_login_required
def download(request, asset_id):
    asset = _own(request, asset_id)
    if asset is None:
        return JsonResponse({"error": "no such asset"}, status=404)
    return accel_redirect(asset.upload.key, filename=asset.upload.filename, bucket=asset.upload.bucket,
                          content_type=asset.upload.content_type)


@require_http_methods(["GET"])
@json_login_required
def thumbnail(request, asset_id):
    asset = _own(request, asset_id)
    if asset is None or not asset.thumbnail_key:
        return JsonResponse({"error": "no thumbnail"}, status=404)
    return accel_redirect(asset.thumbnail_key, bucket=asset.upload.bucket, content_type="image/png", inline=True)
