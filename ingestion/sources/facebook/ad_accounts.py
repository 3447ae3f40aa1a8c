"""The right account (SPEC 9): a Meta export is loaded only into the client whose ad account it
comes from.

Checked after parsing and before anything is staged or loaded, so a refused file writes nothing.
"""

from __future__ import annotations

from accounts.models import User
from clients.models import Client
from ingestion.adapters.base import ParsedFile, SourceFileError
from ingestion.sources.facebook.models import FacebookAdAccount

ACCOUNT_UNKNOWN = (
    "Account unknown: the export has no 'Account name' column, so it could not be checked "
    "against the client's ad accounts. Add the Account name column in Ads Manager to have it "
    "checked."
)


def _same_name(left: str, right: str) -> bool:
    return left.strip().casefold() == right.strip().casefold()


def _expected(name: str, account_id: str, accounts: list[FacebookAdAccount]) -> bool:
    """Whether the export's account is one of the client's: by id when both carry one (a renamed
    account keeps its id), else by name."""
    for account in accounts:
        if account_id and account.account_id:
            if account_id == account.account_id:
                return True
        elif name and _same_name(name, account.name):
            return True
    return False


def _label(name: str, account_id: str) -> str:
    if name and account_id:
        return f"'{name}' (ID {account_id})"
    return f"'{name}'" if name else f"ID {account_id}"


def ad_account_check(client: Client, parsed: ParsedFile, by: User | None) -> None:
    """Refuse an export from an ad account the client does not list, naming both; record the
    first upload's account when none is listed; mark an export without an account column."""
    if not parsed.accounts:
        parsed.warnings.append(ACCOUNT_UNKNOWN)
        return
    accounts = list(FacebookAdAccount.objects.filter(client=client))
    if not accounts:
        FacebookAdAccount.objects.bulk_create(
            [
                FacebookAdAccount(
                    client=client, name=name or account_id, account_id=account_id, added_by=by
                )
                for name, account_id in parsed.accounts
            ],
            ignore_conflicts=True,
        )
        return
    foreign = [
        (name, account_id)
        for name, account_id in parsed.accounts
        if not _expected(name, account_id, accounts)
    ]
    if foreign:
        found = ", ".join(_label(name, account_id) for name, account_id in foreign)
        listed = ", ".join(_label(account.name, account.account_id) for account in accounts)
        plural = "accounts" if len(foreign) > 1 else "account"
        raise SourceFileError(
            f"This export is from the ad {plural} {found}, not {client.name}'s ({listed}), so "
            f"nothing was loaded. If it is {client.name}'s, ask the agency to add the account to "
            "the client, then upload the file again."
        )
