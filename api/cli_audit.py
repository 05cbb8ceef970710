"""The `yibao audit` commands: verify the audit trail and seal its chain heads (SV-2)."""

from __future__ import annotations

import sys

import click

from domain.errors import YibaoError
from workflows import audit as audit_trail
from workflows.context import Services, build_services
from workflows.settings import load_settings


def _services() -> Services:
    try:
        return build_services(load_settings())
    except YibaoError as exc:
        raise click.ClickException(exc.detail) from None


@click.group()
def audit() -> None:
    """Audit trail (SV-2): verify the hash chains and checkpoints, seal the chain heads."""


@audit.command("verify")
def audit_verify() -> None:
    """Check every chain entry by entry and every checkpoint; exit 1 with one line per problem found."""
    services = _services()
    try:
        report = audit_trail.verify(services)
    except YibaoError as exc:
        raise click.ClickException(exc.detail) from None
    finally:
        services.dispose()
    found = "no problems" if report.ok else f"{len(report.problems)} problem(s)"
    click.echo(f"checked {report.entries} entries in {report.chains} chains and {report.checkpoints} "
               f"checkpoint(s): {found}")
    for problem in report.problems:
        click.echo(problem.line())
    if not report.ok:
        sys.exit(1)


@audit.command("seal")
def audit_seal() -> None:
    """Seal every chain head into a checkpoint signed with YIBAO_SECRET_KEY; copy its line somewhere safe."""
    services = _services()
    try:
        checkpoint = audit_trail.seal(services)
    except YibaoError as exc:
        raise click.ClickException(exc.detail) from None
    finally:
        services.dispose()
    state = "sealed" if checkpoint.created else "unchanged (nothing new since)"
    click.echo(f"checkpoint {checkpoint.id} {state}: {checkpoint.chains} chains up to entry id "
               f"{checkpoint.last_entry_id} at {checkpoint.at.isoformat()} digest {checkpoint.heads_digest} "
               f"signature {checkpoint.signature}")
