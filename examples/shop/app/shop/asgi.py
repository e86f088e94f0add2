"""`uvicorn shop.asgi:application` (the ws service): HTTP through Django, websockets on /ws/ through Channels."""
import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shop.settings.production")
# Django is set up before anything imports models (the consumers may).
django_application = get_asgi_application()

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from django.urls import path  # noqa: E402

from shop.consumers import EchoConsumer  # noqa: E402

application = ProtocolTypeRouter({
    "http": django_application,
    "websocket": URLRouter([path("ws/echo/", EchoConsumer.as_asgi())]),
})
