from django.contrib import admin
from django.urls import include, path

from ops.views import wallet_openapi

urlpatterns = [
    # /api/wallet/*: answered in front of Django by platform_wallet.wsgi.WalletFront
    path("api/schema/wallet.yaml", wallet_openapi, name="wallet-openapi"),  # OpenAPI 3
    path("admin/", admin.site.urls),
    path("", include("lobby.urls")),  # the player lobby at "/", login/logout under /accounts/
]

# Error pages in the players' look, or the admin's under /admin/ (DEBUG off): ops.errors
handler403 = "ops.errors.permission_denied"
handler404 = "ops.errors.page_not_found"
handler500 = "ops.errors.server_error"
