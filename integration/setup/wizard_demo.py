"""The demo company's set-up: its profile (name, tax id, address, bank, a logo and a seal) and
the wizard recorded as finished, so that ``make run`` opens on a company in use, without the
"continue set-up" banner. Runs once per database (``integration.setup.demo`` STEPS), after
every other step."""

import io
import math

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from core.company import company_profile_update
from core.models import CompanyProfile
from core.taxid import check_character
from integration.setup import wizard
from integration.setup.models import SetupProgress

# 9 (enterprise) 1 (company) 110105 (北京朝阳) + organisation code; the check character computed.
_TAX_ID_17 = "91110105MA01K7TQ8"
PROFILE = {
    "legal_name": "北京同行商贸有限公司",
    "short_name": "同行商贸",
    "tax_id": _TAX_ID_17 + check_character(_TAX_ID_17),
    "address": "北京市朝阳区建国路88号现代城A座1203室",
    "phone": "010-8590 1234",
    "bank_name": "招商银行北京朝阳支行",
    "bank_account": "1109 0812 3410 201",
    "fiscal_year_start": 1,
    "base_currency": "CNY",
}


def _png(draw) -> SimpleUploadedFile:
    from PIL import Image, ImageDraw

    picture = Image.new("RGBA", (240, 240), (255, 255, 255, 0))
    draw(ImageDraw.Draw(picture))
    buffer = io.BytesIO()
    picture.save(buffer, "PNG")
    return SimpleUploadedFile("image.png", buffer.getvalue(), content_type="image/png")


def _star(cx, cy, outer, inner):
    points = []
    for i in range(10):
        radius = outer if i % 2 == 0 else inner
        angle = -math.pi / 2 + i * math.pi / 5
        points.append((cx + radius * math.cos(angle), cy + radius * math.sin(angle)))
    return points


def _logo(draw) -> None:
    """Two interlocking rings: two parties going together (同行)."""
    draw.rounded_rectangle((8, 8, 232, 232), radius=44, fill=(13, 110, 253, 255))
    draw.ellipse((40, 70, 140, 170), outline=(255, 255, 255, 255), width=14)
    draw.ellipse((100, 70, 200, 170), outline=(255, 255, 255, 255), width=14)


def _seal(draw) -> None:
    """The round red company seal (公章) with its star."""
    red = (200, 16, 46, 230)
    draw.ellipse((10, 10, 230, 230), outline=red, width=10)
    draw.polygon(_star(120, 120, 48, 19), fill=red)


def build(ctx) -> None:
    admin = ctx.users.get("admin")
    if not CompanyProfile.objects.exists():
        company_profile_update(actor=admin, data=PROFILE, logo=_png(_logo), seal=_png(_seal))
    progress = wizard.setup_progress()
    SetupProgress.objects.filter(pk=progress.pk).update(
        states={step.key: SetupProgress.State.DONE for step in wizard.STEPS},
        finished_at=progress.finished_at or timezone.now(),
        updated_at=timezone.now(),
    )
    steps = len(wizard.steps_offered())
    ctx.say(f"setup: company profile {PROFILE['short_name']}, set-up finished ({steps} steps)")
