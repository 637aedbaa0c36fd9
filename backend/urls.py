from django.contrib import admin
from django.urls import include, path

from backend.privacy.views import data_page
from backend.web.views import moderation_console

urlpatterns = [
    # The resident app and the files its scripts read (backend/web).
    path("", include("backend.web.urls")),
    path("moderation/", moderation_console, name="moderation-console"),
    path("admin/", admin.site.urls),
    path("api/v1/auth/", include("backend.accounts.urls")),
    path("api/v1/neighbourhoods/", include("backend.neighbourhoods.urls")),
    path("api/v1/trust/", include("backend.trust.urls")),
    path("api/v1/chat/", include("backend.chat.urls")),
    path("api/v1/feed/", include("backend.feed.urls")),
    path("api/v1/push/", include("backend.push.urls")),
    path("api/v1/moderation/", include("backend.moderation.urls")),
    path("api/v1/photos/", include("backend.photos.urls")),
    path("api/v1/cities/", include("backend.cities.urls")),
    path("api/v1/privacy/", include("backend.privacy.urls")),
    # What Voisins keeps, why, how long (backend/privacy), public.
    path("data/", data_page, name="data-page"),
]

# Errors outside any view (a middleware's): JSON under /api/, 503 server_busy when the
# database pool was exhausted (backend/ops/views.py).
handler500 = "backend.ops.views.server_error"
# A URL that matches nothing (an id that is not a number): JSON under /api/.
handler404 = "backend.common.views.not_found"
