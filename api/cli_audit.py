"""The `yibao audit` commands: verify the audit trail and seal its chain heads (SV-2)."""

from __future__ import annotations

import sys

import click

from workflows import audit as audit_trail

from .cli_support import command_services


@click.group()
def audit() -> None:
    """Audit trail (SV-2): verify the hash chains and checkpoints, seal the chain heads."""


@audit.command("verify")
def audit_verify() -> None:
    """Check every chain entry by entry and every checkpoint; exit 1 with one line per problem found."""
    with command_services() as services:
        report = audit_trail.verify(services)
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
    with command_services() as services:
        checkpoint = audit_trail.seal(services)
    state = "sealed" if checkpoint.created else "unchanged (nothing new since)"
    click.echo(f"checkpoint {checkpoint.id} {state}: {checkpoint.chains} chains up to entry id "
               f"{checkpoint.last_entry_id} at {checkpoint.at.isoformat()} digest {checkpoint.heads_digest} "
               f"signature {checkpoint.signature}")
