from django.urls import path

from backend.chat import api

urlpatterns = [
    path("tickets/", api.TicketApi.as_view(), name="chat-ticket"),
    path("rooms/", api.RoomListApi.as_view(), name="chat-rooms"),
    path("rooms/<int:room_id>/messages/", api.HistoryApi.as_view(), name="chat-history"),
    path("directs/", api.DirectOpenApi.as_view(), name="chat-direct"),
]
