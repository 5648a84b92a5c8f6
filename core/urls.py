from django.contrib.auth import views as auth_views
from django.urls import path

from core import api, import_pages, views

urlpatterns = [
    path("", views.home, name="home"),
    path("accounts/login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/tokens/", views.api_tokens, name="api_tokens"),
    path("imports/<str:kind>/template.xlsx", import_pages.import_template, name="import-template"),
    path("company/", views.company_profile, name="company-profile"),
    path("company/image/<str:which>/", views.company_image, name="company-image"),
    path("api/v1/company-profile/", api.CompanyProfileView.as_view(), name="api-company-profile"),
    path("api/v1/users/picker/", api.UserPickerView.as_view(), name="api-user-picker"),
    path("accounts/password/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path(
        "accounts/password/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
]
