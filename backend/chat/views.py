from django.shortcuts import render
from django.views.decorators.csrf import ensure_csrf_cookie


@ensure_csrf_cookie
def resident_page(request):
    """The resident page: a login form, or the rooms and the live chat. Everything
    after the first render goes through the REST API and the WebSocket."""
    return render(request, "chat/resident.html")
