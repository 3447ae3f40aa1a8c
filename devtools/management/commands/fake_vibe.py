"""``manage.py fake_vibe``: serve the fake Vibe API for the offline demo and manual checks.

Point ``VIBE_API_BASE_URL`` (or a connection's base URL) at the printed address. ``--faults``
switches on misbehaviour, e.g. ``--faults 429,5xx,expired-links``.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from devtools.fake_vibe import FakeVibe, FakeVibeConfig, FakeVibeServer, ReceivedCall

FAULTS = {
    "429": "every 3rd report creation answers 429 with x-rate-limit-retry-after",
    "5xx": "every 4th API call answers 503 with a plain-text body",
    "never-ready": "reports stay 'processing' forever",
    "error": "reports end in status 'error'",
    "expired-links": "the first download of each report answers 403 (link expired)",
    "slow": "every API call takes 2 seconds",
    "upper-case": "statuses in upper case (DONE, PROCESSING)",
    "unix-reset": "x-rate-limit-reset-at as unix seconds instead of ISO 8601",
}


def config_with_faults(faults: list[str], *, api_keys: list[str]) -> FakeVibeConfig:
    unknown = sorted(set(faults) - set(FAULTS))
    if unknown:
        raise CommandError(
            f"Unknown fault(s): {', '.join(unknown)}. Choose from: {', '.join(FAULTS)}."
        )
    config = FakeVibeConfig(
        api_keys=dict.fromkeys(api_keys) if api_keys else None,
        # A demo report takes a little while, like the real one.
        ready_after_seconds=15,
    )
    if "429" in faults:
        config.rate_limit_every_nth_create = 3
    if "5xx" in faults:
        config.server_error_every_nth_call = 4
    if "never-ready" in faults:
        config.never_ready = True
    if "error" in faults:
        config.report_error = "Report generation failed (fake fault)"
    if "expired-links" in faults:
        config.expire_links = 1
    if "slow" in faults:
        config.latency_seconds = 2.0
    if "upper-case" in faults:
        config.status_case = "upper"
    if "unix-reset" in faults:
        config.reset_at_format = "unix"
    return config


class Command(BaseCommand):
    help = "Serve a fake Vibe reporting API (same paths and shapes) for the demo and tests."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8765)
        parser.add_argument(
            "--faults",
            default="",
            help="Comma-separated: "
            + "; ".join(f"{name}: {what}" for name, what in FAULTS.items()),
        )
        parser.add_argument(
            "--advertiser",
            action="append",
            default=[],
            metavar="ID=NAME",
            help="Name an advertiser's campaigns and creatives (repeatable).",
        )
        parser.add_argument(
            "--api-key",
            action="append",
            default=[],
            dest="api_keys",
            help="Accept only this key (repeatable); any key is accepted when none is given.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        faults = [name.strip() for name in options["faults"].split(",") if name.strip()]
        config = config_with_faults(faults, api_keys=options["api_keys"])
        for pair in options["advertiser"]:
            advertiser_id, _, name = pair.partition("=")
            if not name:
                raise CommandError(f"--advertiser takes ID=NAME, not '{pair}'.")
            config.advertiser_names[advertiser_id] = name
        fake = FakeVibe(config, on_call=self._echo)
        server = FakeVibeServer(fake, host=options["host"], port=options["port"])
        self.stdout.write(
            self.style.SUCCESS(f"Fake Vibe API at {server.base_url}")
            + (f" (faults: {', '.join(faults)})" if faults else "")
        )
        self.stdout.write(f"  export VIBE_API_BASE_URL={server.base_url}")
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            self.stdout.write("Stopped.")

    def _echo(self, call: ReceivedCall) -> None:
        report = f" report={call.report_id}" if call.report_id else ""
        self.stdout.write(f"{call.at:%H:%M:%S} {call.method} {call.path} -> {call.status}{report}")
