from django.apps import AppConfig


class PacingConfig(AppConfig):
    name = "pacing"
    verbose_name = "Insertion orders and pacing"
