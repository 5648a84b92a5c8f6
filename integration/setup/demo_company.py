"""The demo company's profile (北京同行商贸有限公司: tax id, address, bank, a logo and a red round
seal drawn here with Pillow), so every document of the demo is headed and stamped as a real one;
and invoicing details (开票信息) for about half of the demo customers, so invoices show a buyer's
tax id. After the customers step: it gives them their details through the customers' services.

Its randomness is its own (seeded by each customer's code), not the shared ``ctx.rng``: the steps
after it draw the same numbers with or without it."""

import io
import math
from pathlib import Path
from random import Random

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageDraw, ImageFont

from core.company import PROFILE_PK, company_profile, company_profile_update
from core.models import CompanyProfile
from core.pdf import FONT_CANDIDATES
from core.taxid import ALPHABET, check_character
from crm.customers import services as customer_services
from crm.customers.models import Customer

LEGAL_NAME = "北京同行商贸有限公司"
SHORT_NAME = "同行商贸"
# 9 (registered with the market regulator) 1 (enterprise) 110105 (北京市朝阳区), then the
# organisation code; the 18th character is the check character.
TAX_ID_BODY = "91110105MA01R8KQ7"
ADDRESS = "北京市朝阳区建国路88号现代城A座1205室"
PHONE = "010-85886688"
BANK = "招商银行北京分行"
BANK_ACCOUNT = "110908652310802"
SEAL_RED = (214, 0, 18, 255)
BRAND_BLUE = (13, 110, 253, 255)

# The area codes (行政区划代码) of the districts where the demo customers are, by city.
AREAS = {
    "北京": ["110105", "110108", "110106"],
    "上海": ["310115", "310104", "310112"],
    "广州": ["440106", "440104", "440112"],
}
BANKS = ["中国工商银行", "中国建设银行", "中国银行", "招商银行", "交通银行", "中国农业银行"]
BRANCHES = {
    "北京": ["朝阳支行", "海淀支行", "西城支行"],
    "上海": ["浦东分行", "徐汇支行"],
    "广州": ["天河支行", "越秀支行"],
}


def tax_id(body: str) -> str:
    """A valid unified social credit code from its first 17 characters."""
    return body + check_character(body)


def build(ctx) -> None:
    if not CompanyProfile.objects.filter(pk=PROFILE_PK).exclude(legal_name="").exists():
        company_profile_update(
            actor=ctx.users.get("admin"),
            data={
                "legal_name": LEGAL_NAME,
                "short_name": SHORT_NAME,
                "tax_id": tax_id(TAX_ID_BODY),
                "address": ADDRESS,
                "phone": PHONE,
                "bank_name": BANK,
                "bank_account": BANK_ACCOUNT,
                "fiscal_year_start": 1,
                "base_currency": "CNY",
            },
            logo=SimpleUploadedFile("logo.png", logo_png(), content_type="image/png"),
            seal=SimpleUploadedFile("seal.png", seal_png(LEGAL_NAME), content_type="image/png"),
        )
    profile = company_profile()
    customers_invoicing()
    given = Customer.objects.exclude(invoice_tax_id="").count()
    ctx.say(
        f"company: {profile.legal_name} ({profile.tax_id}), logo and seal; "
        f"{given} customers with invoicing details"
    )


def customers_invoicing() -> int:
    """Every other demo customer (by code) gets a title, a valid tax id in its city's district, an
    address and phone and a bank account, drawn from its code (the same each run); one that has
    invoicing details keeps them, so a second run changes nothing. Returns how many were given."""
    count = 0
    for index, customer in enumerate(Customer.objects.order_by("code")):
        if index % 2 or customer.invoice_tax_id or customer.invoice_title:
            continue
        rng = Random(customer.code)
        city = next((c for c in AREAS if c in customer.address), "北京")
        body = "91" + rng.choice(AREAS[city]) + "".join(rng.choice(ALPHABET) for _ in range(9))
        account = "".join(str(rng.randint(0, 9)) for _ in range(rng.choice([15, 16, 19])))
        landline = f"0{rng.choice(['10', '21', '20'])}-{rng.randint(60000000, 89999999)}"
        customer_services.customer_update(
            customer=customer,
            invoice_title=customer.name,
            invoice_tax_id=tax_id(body),
            invoice_address_phone=f"{customer.address} {landline}",
            invoice_bank_account=f"{rng.choice(BANKS)}{city}{rng.choice(BRANCHES[city])} {account}",
        )
        count += 1
    return count


def _font(size: int, *, bold: bool = True):
    """The CJK font the documents use (its bold cut when installed), at ``size`` pixels; Pillow's
    own font when none is installed (then Chinese text is left off the pictures)."""
    candidates = (
        [str(Path(FONT_CANDIDATES[0]).parent.parent / "700Bold/NotoSansSC_700Bold.ttf")] if bold else []
    )
    for path in candidates + FONT_CANDIDATES:
        if Path(path).exists():
            return ImageFont.truetype(path, size)
    return None


def _png(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def logo_png() -> bytes:
    """A simple logo: two linked rings (同行: walking together) and the short name."""
    image = Image.new("RGBA", (720, 240), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.ellipse((20, 40, 180, 200), outline=BRAND_BLUE, width=22)
    draw.ellipse((110, 40, 270, 200), outline=(32, 201, 151, 255), width=22)
    font = _font(96)
    if font is not None:
        draw.text((300, 120), SHORT_NAME, font=font, fill=(33, 37, 41, 255), anchor="lm")
    return _png(image)


def seal_png(name: str) -> bytes:
    """A round company seal (公章): a red ring, a five-pointed star in the middle and the company's
    name along the upper arc, each character upright towards the centre; transparent around."""
    size, scale = 400, 2  # drawn at twice the size and shrunk: smooth edges
    big = size * scale
    image = Image.new("RGBA", (big, big), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    centre, ring = big / 2, 18 * scale
    radius = big / 2 - 6 * scale
    draw.ellipse(
        (centre - radius, centre - radius, centre + radius, centre + radius), outline=SEAL_RED, width=ring
    )
    draw.polygon(_star(centre, centre, 62 * scale), fill=SEAL_RED)
    font = _font(52 * scale)
    if font is not None:
        text_radius = radius - ring - 40 * scale
        span = min(250.0, 24.0 * len(name))
        for index, char in enumerate(name):
            # Degrees clockwise from twelve o'clock, the name centred on the top.
            angle = -span / 2 + span * index / max(1, len(name) - 1)
            tile = Image.new("RGBA", (80 * scale, 80 * scale), (0, 0, 0, 0))
            ImageDraw.Draw(tile).text((40 * scale, 40 * scale), char, font=font, fill=SEAL_RED, anchor="mm")
            tile = tile.rotate(-angle, resample=Image.Resampling.BICUBIC, expand=True)
            x = centre + text_radius * math.sin(math.radians(angle)) - tile.width / 2
            y = centre - text_radius * math.cos(math.radians(angle)) - tile.height / 2
            image.alpha_composite(tile, (round(x), round(y)))
    return _png(image.resize((size, size), Image.Resampling.LANCZOS))


def _star(cx: float, cy: float, outer: float) -> list[tuple[float, float]]:
    inner = outer * 0.382
    points = []
    for k in range(10):
        r = outer if k % 2 == 0 else inner
        a = math.radians(-90 + 36 * k)
        points.append((cx + r * math.cos(a), cy + r * math.sin(a)))
    return points
