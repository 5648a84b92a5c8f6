"""The demo company's set-up recorded as finished, so that ``make run`` opens on a company in
use, without the "continue set-up" banner (its profile is the ``company`` step's). Runs once per
database (``integration.setup.demo`` STEPS), after every other step."""

from django.utils import timezone

from integration.setup import wizard
from integration.setup.models import SetupProgress


def build(ctx) -> None:
    progress = wizard.setup_progress()
    SetupProgress.objects.filter(pk=progress.pk).update(
        states={step.key: SetupProgress.State.DONE for step in wizard.STEPS},
        finished_at=progress.finished_at or timezone.now(),
        updated_at=timezone.now(),
    )
    steps = len(wizard.steps_offered())
    ctx.say(f"setup: set-up finished ({steps} steps)")
