"""The OpenAPI schema and its docs page, served to anyone (they describe, they reveal no data)."""

from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from core.api.views import PublicAPIView


class SchemaView(PublicAPIView, SpectacularAPIView):
    pass


class DocsView(PublicAPIView, SpectacularSwaggerView):
    pass
