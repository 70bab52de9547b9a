from django.urls import include, path

from monopilot.console import views as console_views

urlpatterns = [
    path("healthz", console_views.healthz, name="healthz"),
    path("", console_views.home, name="home"),
    path("login/", console_views.LoginView.as_view(), name="login"),
    path("logout/", console_views.auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("integrations/dashboard", console_views.dashboard, name="dashboard"),
]
