"""The options the commands share: a flag through its rule (``RuleType``, ``rule_option``), the
at-risk window, and every subcommand's common options collected into one ``CommonOptions``. Only click
and the rules are imported here (``--help`` stays fast)."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import click

from sendbird_copy import rules


class RuleType(click.ParamType):
    """A flag's value through its rule in ``sendbird_copy.rules``, so the CLI refuses a value with the
    words every other entry point uses (the component, the stack config, the function's environment)."""

    def __init__(self, rule: Callable[[str, Any], Any], name: str = "number") -> None:
        self.rule, self.name = rule, name

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        from sendbird_copy.errors import InputError

        try:
            return self.rule(param.opts[0] if param is not None else "value", value)
        except InputError as exc:
            self.fail(exc.problem.strip(), param, ctx)


class WholeNumber(RuleType):
    """A whole number in [low, high] (``rules.check_whole_number``), for flags whose bounds are
    their tool's own (the local tools' counts and sizes)."""

    def __init__(self, low: int, high: int) -> None:
        super().__init__(lambda name, value: rules.check_whole_number(name, value, low, high), "integer")


def rule_option(
    flag: str, rule: Callable[[str, Any], Any], default: Any, metavar: str | None = None, help: str = ""
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """A flag whose value passes its rule (``RuleType``), with the rule's default shown in --help."""
    kind = "integer" if isinstance(default, int) and not isinstance(default, bool) else "number"
    return click.option(
        flag, type=RuleType(rule, kind), default=default, show_default=True, metavar=metavar, help=help
    )


# sync and status judge "at risk" alike.
warn_days_option = rule_option(
    "--warn-days",
    rules.check_warn_days,
    rules.WARN_DAYS_DEFAULT,
    metavar="DAYS",
    help="A recording not yet copied this close to its deadline is at risk (exit 1).",
)


def common_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """The options every subcommand shares, collected into one CommonOptions argument."""
    options = [
        click.option("--outputs", metavar="FILE|-", help="Stack outputs JSON file ('-' reads stdin)."),
        click.option(
            "--stack", metavar="NAME", help="Read outputs with 'pulumi stack output --json --show-secrets'."
        ),
        click.option(
            "--app-id", metavar="ID", help="Check this application only (default: every one in the outputs)."
        ),
        click.option("--json", "json_output", is_flag=True, help="Print one JSON document on stdout."),
        click.option(
            "--aws-endpoint-url", metavar="URL", help="AWS endpoint override (default: $AWS_ENDPOINT_URL)."
        ),
        click.option(
            "--api-base-url",
            type=RuleType(rules.check_base_url, "url"),
            metavar="URL",
            help="Sendbird API base URL override (an emulator).",
        ),
        click.option(
            "--org-api-base-url",
            type=RuleType(rules.check_base_url, "url"),
            metavar="URL",
            help="Sendbird Organization API base URL override.",
        ),
        click.option("--api-tokens-file", metavar="FILE", help="JSON: application id -> its API token."),
        click.option(
            "--sendbird-aws-region",
            metavar="REGION",
            help="The application's AWS region, when Sendbird reports a region key this tool does not map.",
        ),
    ]

    @functools.wraps(command)
    def wrapper(**kwargs: Any) -> Any:
        from sendbird_copy.cli.factory import CommonOptions  # lazily: --help never pays for the factory

        names = CommonOptions._fields
        common = CommonOptions(**{k: kwargs.pop(k) for k in list(kwargs) if k in names})
        return command(common, **kwargs)

    for option in reversed(options):
        wrapper = option(wrapper)
    return wrapper
