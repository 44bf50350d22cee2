from django.urls import path

from platform_wallet import views

app_name = "wallet"

urlpatterns = [
    path("ping", views.ping, name="ping"),
    *[
        path(command, views.gameplay_endpoint, {"command": command}, name=command)
        for command in (
            "authenticate",
            "balance",
            "changebalance",
            "status",
            "cancel",
            "finishround",
        )
    ],
]
