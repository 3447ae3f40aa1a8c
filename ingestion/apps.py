from django.apps import AppConfig


class IngestionConfig(AppConfig):
    name = "ingestion"
    verbose_name = "Ingestion"

    def ready(self) -> None:
        # Each source registers its file parser with the shared pipeline when imported.
        from ingestion.sources import facebook, surfside, vibe  # noqa: F401
