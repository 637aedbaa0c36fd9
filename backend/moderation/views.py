from django.shortcuts import render
from django.views.decorators.csrf import ensure_csrf_cookie

from backend.moderation.selectors import console_neighbourhoods


@ensure_csrf_cookie
def console_page(request):
    """The moderators' console: a login form, or the live watch, the queues and the log
    of the neighbourhoods she moderates. Everything else goes through the REST API and
    the WebSocket."""
    return render(request, "moderation/console.html", {"neighbourhoods": console_neighbourhoods(user=request.user)})
