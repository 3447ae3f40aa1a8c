"""The OpenAPI schema and its docs page, served to anyone (they describe, they reveal no data)."""

from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from core.api.views import PublicAPIView


class SchemaView(PublicAPIView, SpectacularAPIView):
    pass


class DocsView(PublicAPIView, SpectacularSwaggerSplitView):
    """Swagger UI with its start-up script served as a file (``?script``), not inline: the
    Content-Security-Policy allows no inline script."""

    template_name = "api/docs.html"
