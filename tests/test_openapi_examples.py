"""Every operation of the API is documented with an example (request or response)."""

import yaml
from django.test import Client as BrowserClient


def test_every_operation_has_an_example(db):
    schema = yaml.safe_load(BrowserClient().get("/api/v1/schema").content)
    missing = []
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            bodies = [
                body
                for response in operation.get("responses", {}).values()
                for body in response.get("content", {}).values()
            ] + list(operation.get("requestBody", {}).get("content", {}).values())
            if not any("examples" in body or "example" in body for body in bodies):
                missing.append(f"{method.upper()} {path}")
    assert len(schema["paths"]) > 40
    assert missing == []
