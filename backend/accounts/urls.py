from django.urls import path

from backend.accounts import api

urlpatterns = [
    path("signup/", api.SignupApi.as_view(), name="auth-signup"),
    path("login/", api.LoginApi.as_view(), name="auth-login"),
    path("session/", api.SessionLoginApi.as_view(), name="auth-session"),
    path("logout/", api.LogoutApi.as_view(), name="auth-logout"),
    path("me/", api.MeApi.as_view(), name="auth-me"),
    path("tokens/", api.TokenListApi.as_view(), name="auth-tokens"),
    path("tokens/<int:token_id>/", api.TokenRevokeApi.as_view(), name="auth-token"),
]
