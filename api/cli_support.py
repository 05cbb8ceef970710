"""What every `yibao` command shares: the services for one command, with errors as click errors."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import click

from domain.errors import YibaoError
from workflows.context import Services, build_services
from workflows.settings import Settings, load_settings


def _message(exc: YibaoError) -> str:
    return f"{exc.detail} ({exc.field or exc.code})"


def command_settings() -> Settings:
    """The YIBAO_* settings for one command; a bad value ends it with a one-line message, exit code 1."""
    try:
        return load_settings()
    except YibaoError as exc:
        raise click.ClickException(_message(exc)) from None


@contextmanager
def command_services() -> Iterator[Services]:
    """Services from the YIBAO_* settings for one command; a service error ends it with a message, exit code 1."""
    try:
        services = build_services(command_settings())
    except YibaoError as exc:
        raise click.ClickException(_message(exc)) from None
    try:
        yield services
    except YibaoError as exc:
        raise click.ClickException(_message(exc)) from None
    finally:
        services.dispose()
