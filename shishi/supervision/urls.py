from django.urls import path

from . import views

app_name = "supervision"

urlpatterns = [
    path("", views.supervisor_orders, name="orders"),
    path("to-answer/", views.orders_to_answer, name="to_answer"),
    path("<int:pk>/", views.order_detail, name="order"),
    path("<int:pk>/answer/", views.order_action, {"action": "answer"}, name="answer"),
    path("<int:pk>/send-back/", views.order_action, {"action": "send_back"}, name="send_back"),
    path("<int:pk>/close/", views.order_action, {"action": "close"}, name="close"),
]
