from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("api/wallet/", include("platform_wallet.urls")),
    path("admin/", admin.site.urls),
    path("", include("lobby.urls")),  # the player lobby at "/", login/logout under /accounts/
]
