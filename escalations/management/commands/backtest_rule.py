from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from escalations.models import Rule
from escalations.services import rule_backtest


class Command(BaseCommand):
    help = "Dry run: which tickets RULE (id or exact name) would have escalated. Writes nothing."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("rule", help="Rule id or exact name")
        parser.add_argument("--days", type=int, default=30)

    def handle(self, *args: Any, **options: Any) -> None:
        key = options["rule"]
        rules = Rule.objects.filter(pk=int(key)) if key.isdigit() else Rule.objects.filter(name=key)
        rule = rules.first()
        if rule is None:
            raise CommandError(f"No rule {key!r}.")
        try:
            result = rule_backtest(rule=rule, days=options["days"])
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from None
        self.stdout.write(
            f"Rule {rule.pk} “{rule.name}”: {len(result.hits)} hit(s) over {result.days} days "
            f"({result.tickets_evaluated} ticket(s) evaluated)."
        )
        for hit in result.hits:
            self.stdout.write(
                f"{hit.at:%Y-%m-%d %H:%M} #{hit.ticket_id} {hit.subject} [{hit.trigger}] {hit.sentence}"
            )
        judged = result.judged
        self.stdout.write(
            f"Receivers' feedback: {judged.made} of these were escalated in the window, "
            f"{judged.judged} judged: {judged.needed} needed, {len(judged.unnecessary)} "
            f"unnecessary; {len(judged.missed_needed)} needed escalation(s) of this rule missed."
        )
        for label, rows in (("unnecessary", judged.unnecessary), ("missed", judged.missed_needed)):
            for row in rows:
                self.stdout.write(
                    f"{label}: escalation {row.escalation_id} of #{row.ticket_id} "
                    f"{row.at:%Y-%m-%d %H:%M} {row.reason or '-'} {row.comment}".rstrip()
                )
