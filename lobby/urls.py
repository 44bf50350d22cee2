"""The lobby at the site root, and the players' login and logout under /accounts/."""

from django.contrib.auth import views as auth_views
from django.urls import include, path

from lobby import account_views, play_views, views
from lobby.account_views import refuse_when_excluded

lobby_patterns = [
    path("", views.home, name="home"),
    path("play/game/<int:game_id>/", refuse_when_excluded(views.game_play), name="game_play"),
    path("play/lobby/<str:lobby_id>/", refuse_when_excluded(views.lobby_play), name="lobby_play"),
    path("play/<str:key>/", play_views.play_page, name="play_page"),
    path("play/<str:key>/status/", play_views.play_status, name="play_status"),
    path("demo/<int:game_id>/", views.game_demo, name="game_demo"),
    path("currency/", views.currency_select, name="currency_select"),
    path("favourites/<int:game_id>/", views.favourite_toggle, name="favourite_toggle"),
    path("account/activity/", account_views.activity_page, name="account_activity"),
    path(
        "account/activity/round/<int:round_id>/",
        account_views.round_page,
        name="account_round",
    ),
    path("account/limits/", account_views.limits_page, name="account_limits"),
    path("account/break/", account_views.take_break, name="account_break"),
]

urlpatterns = [
    path("accounts/login/", views.LobbyLoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("", include((lobby_patterns, "lobby"))),
]
