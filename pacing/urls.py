from django.urls import path

from pacing import views

urlpatterns = [
    path("insertion-orders/<int:pk>/", views.OrderPacingView.as_view(), name="order_pacing"),
]
