from django.urls import path

from backend.chat.consumers import RoomSocket

websocket_urlpatterns = [path("ws/v1/", RoomSocket.as_asgi())]
