import pytest
from rest_framework.test import APIClient

RANGE_ENDPOINTS = [
    "/api/v1/dashboard/summary",
    "/api/v1/dashboard/overview",
    "/api/v1/metrics/daily",
    "/api/v1/metrics/weekly",
    "/api/v1/metrics/monthly",
    *[
        f"/api/v1/{plural}{suffix}"
        for plural in ("campaigns", "strategies", "placements", "creatives")
        for suffix in ("", "/{id}", "/{id}/metrics")
    ],
]


@pytest.fixture(scope="module")
def schema():
    # Generating the schema reads no data; one copy serves every test here.
    response = APIClient().get("/api/v1/schema?format=json")
    assert response.status_code == 200
    return response.json()


@pytest.mark.parametrize("path", RANGE_ENDPOINTS)
def test_every_dashboard_endpoint_is_documented_with_parameters_and_an_example(schema, path):
    operation = schema["paths"][path]["get"]
    parameters = {parameter["name"] for parameter in operation["parameters"]}
    assert {"start_date", "end_date", "client_id"} <= parameters
    content = operation["responses"]["200"]["content"]["application/json"]
    assert content["examples"]
    assert "decimal strings with 6" in operation["description"]


def test_list_parameters_and_the_page_envelope(schema):
    operation = schema["paths"]["/api/v1/strategies"]["get"]
    parameters = {parameter["name"] for parameter in operation["parameters"]}
    assert {"source", "ordering", "page", "page_size", "campaign_id"} <= parameters
    example = operation["responses"]["200"]["content"]["application/json"]["examples"]["Page"]
    assert set(example["value"]) == {"count", "next", "previous", "results"}
    assert example["value"]["results"][0]["spend"] == "8118.150000"


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/dashboard/summary",
        "/api/v1/dashboard/overview",
        *[f"/api/v1/{plural}/{{id}}" for plural in ("campaigns", "strategies", "placements")],
        "/api/v1/creatives/{id}",
    ],
)
def test_the_comparison_parameter_is_documented_with_its_values(schema, path):
    operation = schema["paths"][path]["get"]
    (comparison,) = [p for p in operation["parameters"] if p["name"] == "comparison"]
    assert sorted(comparison["schema"]["enum"]) == ["last_year", "none", "previous"]
    values = {example["value"] for example in comparison["examples"].values()}
    assert values == {"previous", "last_year", "none"}
    assert "Feb 29 -> Feb 28" in comparison["description"]
    examples = operation["responses"]["200"]["content"]["application/json"]["examples"]
    compared = next(iter(examples.values()))["value"]["comparison"]
    assert compared["mode"] == "previous" and compared["comparable"] is True


@pytest.mark.parametrize("export", ["csv", "xlsx", "pdf"])
def test_the_exports_document_their_comparison(schema, export):
    operation = schema["paths"][f"/api/v1/exports/{export}"]["get"]
    (comparison,) = [p for p in operation["parameters"] if p["name"] == "comparison"]
    assert sorted(comparison["schema"]["enum"]) == ["last_year", "none", "previous"]
    assert {example["value"] for example in comparison["examples"].values()} == {
        "previous",
        "last_year",
        "none",
    }
