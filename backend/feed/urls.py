from django.urls import path

from backend.feed import api

urlpatterns = [
    path("posts/", api.PostListApi.as_view(), name="feed-posts"),
    path("posts/<int:post_id>/", api.PostDetailApi.as_view(), name="feed-post"),
    path("posts/<int:post_id>/status/", api.PostStatusApi.as_view(), name="feed-post-status"),
    path("posts/<int:post_id>/responses/", api.PostRespondApi.as_view(), name="feed-post-respond"),
    path("posts/<int:post_id>/responder/", api.PostResponderApi.as_view(), name="feed-post-responder"),
    path("posts/<int:post_id>/rsvp/", api.PostRsvpApi.as_view(), name="feed-post-rsvp"),
    path("posts/<int:post_id>/commitment/", api.PurchaseCommitApi.as_view(), name="feed-purchase-commit"),
    path(
        "posts/<int:post_id>/commitments/<int:user_id>/paid/", api.PurchasePaidApi.as_view(), name="feed-purchase-paid"
    ),
    path("loans/", api.LoanListApi.as_view(), name="feed-loans"),
    path("loans/<int:loan_id>/returned/", api.LoanReturnedApi.as_view(), name="feed-loan-returned"),
    path("members/<int:user_id>/", api.ProfileApi.as_view(), name="feed-profile"),
    path("map/", api.MapApi.as_view(), name="feed-map"),
]
