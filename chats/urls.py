from django.urls import path

from chats import views

urlpatterns = [
    path("dossiers/<int:pk>/chat-accounts/", views.dossier_chat_accounts, name="dossier_chat_accounts"),
    path("dossiers/<int:pk>/chat-accounts/export.<str:fmt>", views.chat_accounts_export, name="chat_accounts_export"),
    path("chat-accounts/<int:pk>/", views.chat_account_detail, name="chat_account_detail"),
    path("chat-accounts/<int:pk>/link/", views.chat_account_link, name="chat_account_link"),
]
