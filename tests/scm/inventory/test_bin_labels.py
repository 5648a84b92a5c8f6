"""Bin labels: the PDF holds every chosen bin's code in walk order and a Code 128 barcode that
reads back as the bin's barcode; which bins (a warehouse's, a zone's, one); refusals naming the
field (page and API), never a 500; a fixed number of queries whatever the number of bins.

The barcodes are read back from the PDF itself: the bars' widths, as drawn, decoded by the Code
128 rules below (symbol table, code sets, checksum), not by asking the library that drew them."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from reportlab.graphics.barcode.code128 import _patterns

from scm.inventory import bin_labels, locations_admin
from scm.inventory.models import Location
from tests.pdf_text import _OBJECT, _stream, pdf_text
from tests.scm.inventory.bins_helpers import bin_at
from tests.scm.inventory.factories import WarehouseFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("in_english")]
API = "/api/v1/inventory/locations/labels/"

# --- reading the barcodes back ------------------------------------------------------------------

# Code 128's symbols as bar/space widths in modules: reportlab's table written as digits (A=1 …
# D=4), checked against the standard's entries for value 0, the three starts and the stop.
WIDTHS = {"".join(str("abcd".index(ch.lower()) + 1) for ch in p): v for v, p in _patterns.items()}
assert [WIDTHS[w] for w in ("212222", "211412", "211214", "211232", "2331112")] == [0, 103, 104, 105, 106]
START_A, START_B, START_C, STOP, SHIFT = 103, 104, 105, 106, 98


def _text_of(values: list[int]) -> str:
    """The text of a symbol's values (start … data, without checksum and stop)."""
    code_set = {START_A: "A", START_B: "B", START_C: "C"}[values[0]]
    out, shifted = [], False
    for v in values[1:]:
        current = ("B" if code_set == "A" else "A") if shifted else code_set
        shifted = False
        if current == "C":
            if v < 100:
                out.append(f"{v:02d}")
            else:
                code_set = {100: "B", 101: "A"}[v]
            continue
        if v == SHIFT:
            shifted = True
        elif v == 99:
            code_set = "C"
        elif current == "A" and v == 101 or current == "B" and v == 100:
            raise AssertionError("FNC4 is not used on bin labels")
        elif v in (100, 101):
            code_set = {100: "B", 101: "A"}[v]
        elif current == "B":
            out.append(chr(v + 32))
        else:
            out.append(chr(v + 32) if v < 64 else chr(v - 64))
    return "".join(out)


def _decode(bars: list[tuple[float, float]]) -> str:
    """A barcode's text from its bars (x, width), as a scanner reads the widths."""
    bars = sorted(bars)
    module = min(w for _x, w in bars)
    elements = []
    for (x, w), following in zip(bars, bars[1:] + [None], strict=True):
        elements.append(w)
        if following is not None:
            elements.append(following[0] - x - w)
    digits = "".join(str(round(e / module)) for e in elements)
    assert set(digits) <= set("1234"), digits
    symbols = [digits[i : i + 6] for i in range(0, len(digits) - 7, 6)] + [digits[-7:]]
    values = [WIDTHS[s] for s in symbols]
    assert values[-1] == STOP
    *data, check = values[:-1]
    assert check == (data[0] + sum(i * v for i, v in enumerate(data[1:], start=1))) % 103
    return _text_of(data)


def barcodes(pdf: bytes) -> list[str]:
    """Every barcode drawn in the PDF, page by page in drawing order, read from its bars (the
    filled rectangles of one graphics-state block)."""
    objects = {int(m.group(1)): m.group(2) for m in _OBJECT.finditer(pdf)}
    found = []
    for body in objects.values():
        if b"/Type /Page" not in body or b"/Contents" not in body:
            continue
        content = _stream(objects[int(re.search(rb"/Contents (\d+) 0 R", body).group(1))]).decode("latin-1")
        for block in re.findall(r"\nq\n(.*?)\nQ", content, re.S):
            bars = [
                (float(x), float(w))
                for x, _y, w, _h in re.findall(r"n ([-\d.]+) ([-\d.]+) ([-\d.]+) ([-\d.]+) re f\*", block)
            ]
            if bars:
                found.append(_decode(bars))
    return found


def codes_in(pdf: bytes, codes) -> list[str]:
    """The lines of the PDF's text that are one of ``codes``, in reading order."""
    wanted = set(codes)
    return [line for line in pdf_text(pdf).splitlines() if line in wanted]


# --- fixtures -----------------------------------------------------------------------------------


@pytest.fixture
def wh():
    return WarehouseFactory(code="BJ", name="Beijing")


def _bins(warehouse, zone, n, start=1):
    return [bin_at(warehouse, zone, i) for i in range(start, start + n)]


# --- the PDF ------------------------------------------------------------------------------------


def test_every_bin_is_labelled_in_walk_order_with_its_barcode(wh):
    made = _bins(wh, "A", 20) + _bins(wh, "B", 10)
    # Walk order is the sequence, then the code: B-01 walked first, A-03 and A-02 tied.
    locations_admin.location_save(location=made[20], sequence=0, actor=None)
    locations_admin.location_save(location=made[0], sequence=5, actor=None)
    for location in (made[1], made[2]):
        locations_admin.location_save(location=location, sequence=15, actor=None)
    walk = list(Location.objects.filter(warehouse=wh).order_by("sequence", "code"))
    assert [b.code for b in walk[:4]] == ["B-01", "A-01", "A-02", "A-03"]

    choice = bin_labels.label_bins(warehouse=str(wh.pk))
    pdf = bin_labels.bin_labels_pdf(choice)

    assert pdf.startswith(b"%PDF") and pdf.count(b"/Type /Page\n") + pdf.count(b"/Type /Page ") >= 2
    assert codes_in(pdf, [b.code for b in walk]) == [b.code for b in walk]
    assert barcodes(pdf) == [b.barcode for b in walk] == [f"BJ-{b.code}" for b in walk]
    text = pdf_text(pdf)
    assert "Zone A  ·  Bin 01" in text and "BJ Beijing" in text


def test_a_zone_prints_its_active_bins_and_one_bin_prints_alone(wh):
    _bins(wh, "A", 3)
    b_bins = _bins(wh, "B", 3)
    locations_admin.location_save(location=b_bins[1], is_active=False, actor=None)

    zone = bin_labels.label_bins(warehouse=wh.pk, zone=" b ")
    assert [b.code for b in zone.locations] == ["B-01", "B-03"] and zone.file_name == "bin-labels-BJ-B.pdf"
    assert barcodes(bin_labels.bin_labels_pdf(zone)) == ["BJ-B-01", "BJ-B-03"]
    # The warehouse's active bins only: an inactive bin is refused by the scan field.
    assert len(bin_labels.label_bins(warehouse=wh.pk).locations) == 5

    one = bin_labels.label_bins(location=str(b_bins[1].pk))
    assert one.locations == [b_bins[1]] and one.warehouse == wh
    pdf = bin_labels.bin_labels_pdf(one)
    assert codes_in(pdf, ["B-02"]) == ["B-02"] and barcodes(pdf) == ["BJ-B-02"]


def test_a_barcode_code_128_cannot_hold_falls_back_to_the_code(wh):
    plain = bin_at(wh, "A", 1, barcode="货架一号")
    Location.objects.filter(pk=plain.pk).update(barcode="")
    chinese = bin_at(wh, "A", 2, barcode="冷库条码")
    nothing = bin_at(wh, "冷库", 1, code="冷库-01", barcode="冷库-01条码")
    long_code = bin_at(wh, "C", 1, code="C-1", barcode="BJ-" + "X" * 61)

    assert [bin_labels.barcode_value(b) for b in (chinese, nothing)] == ["A-02", ""]
    assert bin_labels.barcode_value(long_code) == "C-1"
    pdf = bin_labels.bin_labels_pdf(bin_labels.label_bins(warehouse=wh.pk))
    # Walk order, 冷库-01 (no bars), C-1.
    assert barcodes(pdf) == ["A-01", "A-02", "C-1"]
    assert "No barcode: the code is not ASCII." in pdf_text(pdf)
    assert "冷库-01" in pdf_text(pdf)


def test_a_long_code_is_set_on_two_lines_not_cut(wh):
    code = "RECEIVING-DOCK-OVERFLOW-AREA-LONG-CODE-X"
    bin_at(wh, "DOCK", 1, code=code)
    pdf = bin_labels.bin_labels_pdf(bin_labels.label_bins(warehouse=wh.pk))
    assert "RECEIVING-DOCK-OVERFLOW-\nAREA-LONG-CODE-X" in pdf_text(pdf)
    assert barcodes(pdf) == [f"BJ-{code}"]


# --- refusals -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("asked", "field"),
    [
        ({"warehouse": "²"}, "warehouse"),
        ({"warehouse": "NaN"}, "warehouse"),
        ({"warehouse": "1e3"}, "warehouse"),
        ({}, "warehouse"),
        ({"warehouse": "987654"}, "warehouse"),
        ({"warehouse": "WH", "zone": "A" * 10_000}, "warehouse"),
        ({"warehouse": None, "zone": "A" * 10_000}, "zone"),
        ({"warehouse": None, "zone": "A\x00"}, "zone"),
        ({"warehouse": None, "zone": "Z"}, "zone"),
        ({"location": "NaN"}, "location"),
        ({"location": "987654"}, "location"),
    ],
)
def test_bad_choices_are_refused_naming_the_field(wh, asked, field):
    bin_at(wh, "A", 1)
    asked = {k: (str(wh.pk) if v is None else v) for k, v in asked.items()}
    with pytest.raises(bin_labels.ValidationError) as refused:
        bin_labels.label_bins(**asked)
    assert list(refused.value.message_dict) == [field]


def test_a_warehouse_without_bins_is_told_so_not_given_an_empty_pdf(wh):
    with pytest.raises(bin_labels.ValidationError) as refused:
        bin_labels.label_bins(warehouse=wh.pk)
    assert refused.value.message_dict == {
        "warehouse": [
            "Beijing has no active bins to label: it keeps its stock in one place. Make a zone's bins first."
        ]
    }


def test_a_bin_of_another_warehouse_or_zone_is_refused(wh):
    location = bin_at(wh, "A", 1)
    other = WarehouseFactory()
    with pytest.raises(bin_labels.ValidationError) as refused:
        bin_labels.label_bins(warehouse=other.pk, location=location.pk)
    assert list(refused.value.message_dict) == ["location"]
    with pytest.raises(bin_labels.ValidationError) as refused:
        bin_labels.label_bins(zone="B", location=location.pk)
    assert list(refused.value.message_dict) == ["location"]


def test_more_bins_than_one_pdf_holds_are_refused(wh, monkeypatch):
    monkeypatch.setattr(bin_labels, "MAX_LABELS", 4)
    _bins(wh, "A", 5)
    _bins(wh, "B", 2)
    with pytest.raises(bin_labels.ValidationError) as refused:
        bin_labels.label_bins(warehouse=wh.pk)
    assert refused.value.message_dict == {
        "warehouse": ["Beijing has more than 4 bins: at most 4 labels in one PDF. Print one zone at a time."]
    }
    with pytest.raises(bin_labels.ValidationError) as refused:
        bin_labels.label_bins(warehouse=wh.pk, zone="A")
    assert list(refused.value.message_dict) == ["zone"]
    assert len(bin_labels.label_bins(warehouse=wh.pk, zone="B").locations) == 2


def test_the_maximum_is_two_thousand():
    assert bin_labels.MAX_LABELS == 2000


# --- queries ------------------------------------------------------------------------------------


def test_choosing_and_drawing_cost_the_same_queries_for_more_bins(wh, django_assert_num_queries):
    _bins(wh, "A", 3)
    with django_assert_num_queries(2):
        bin_labels.bin_labels_pdf(bin_labels.label_bins(warehouse=wh.pk))
    _bins(wh, "A", 40, start=4)
    with django_assert_num_queries(2):
        choice = bin_labels.label_bins(warehouse=wh.pk)
        bin_labels.bin_labels_pdf(choice)
    assert len(choice.locations) == 43
    with django_assert_num_queries(1):
        bin_labels.bin_labels_pdf(bin_labels.label_bins(location=choice.locations[0].pk))


def _queries(client, url, params) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    return len(queries.captured_queries)


def test_the_page_and_the_api_cost_the_same_queries_for_more_bins(client, api_client, sales_user, wh):
    client.force_login(sales_user)
    api_client.force_authenticate(sales_user)
    page = reverse("inventory:location_labels")
    _bins(wh, "A", 2)
    # The first requests read what a session and a user's roles keep.
    _queries(client, page, {"warehouse": wh.pk})
    _queries(api_client, API, {"warehouse": wh.pk})
    few = (_queries(client, page, {"warehouse": wh.pk}), _queries(api_client, API, {"warehouse": wh.pk}))
    _bins(wh, "A", 50, start=3)
    assert (
        _queries(client, page, {"warehouse": wh.pk}),
        _queries(api_client, API, {"warehouse": wh.pk}),
    ) == few


# --- pages --------------------------------------------------------------------------------------


def test_the_bins_list_and_a_bin_link_to_their_labels(client, sales_user, wh):
    location = bin_at(wh, "A", 1)
    client.force_login(sales_user)
    html = client.get(reverse("inventory:locations"), {"warehouse": wh.pk, "zone": "A"}).content.decode()
    labels = reverse("inventory:location_labels")
    assert f'href="{labels}?warehouse={wh.pk}&amp;zone=A"' in html and "Print labels of zone A" in html
    html = client.get(reverse("inventory:locations"), {"warehouse": wh.pk}).content.decode()
    assert f'href="{labels}?warehouse={wh.pk}"' in html
    html = client.get(reverse("inventory:location_detail", args=[location.pk])).content.decode()
    assert f'href="{labels}?location={location.pk}"' in html

    response = client.get(labels, {"location": location.pk})
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'inline; filename="bin-label-BJ-A-01.pdf"'
    assert barcodes(response.content) == ["BJ-A-01"]


def test_a_warehouse_without_bins_offers_no_print_link(client, sales_user, wh):
    client.force_login(sales_user)
    html = client.get(reverse("inventory:locations"), {"warehouse": wh.pk}).content.decode()
    assert 'data-testid="print-labels"' not in html


def test_the_labels_page_without_a_choice_is_the_form(client, sales_user, wh):
    bin_at(wh, "B", 1)
    client.force_login(sales_user)
    response = client.get(reverse("inventory:location_labels"), {})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="labels-form"' in html and '<option value="B">' in html


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({"warehouse": "²"}, "warehouse", "Enter a valid id."),
        ({"warehouse": "NaN"}, "warehouse", "Enter a valid id."),
        ({"warehouse": "987654"}, "warehouse", "Not found."),
        ({"zone": "A" * 10_000}, "zone", "At most 20 characters."),
        ({"zone": "Q"}, "zone", "Zone Q of Beijing has no active bins to label."),
    ],
)
def test_bad_choices_on_the_page_show_next_to_their_field(client, sales_user, wh, params, field, message):
    bin_at(wh, "A", 1)
    client.force_login(sales_user)
    params = {"warehouse": wh.pk, **params}
    response = client.get(reverse("inventory:location_labels"), params)
    assert response.status_code == 400
    html = response.content.decode()
    assert f'data-field-error="{field}">{message}<' in html


def test_a_bad_bin_on_the_page_is_a_message_above_the_form(client, sales_user):
    client.force_login(sales_user)
    response = client.get(reverse("inventory:location_labels"), {"location": "NaN"})
    assert response.status_code == 400 and "Enter a valid id." in response.content.decode()


def test_a_warehouse_without_bins_on_the_page_is_told_so(client, sales_user, wh):
    client.force_login(sales_user)
    response = client.get(reverse("inventory:location_labels"), {"warehouse": wh.pk})
    assert response.status_code == 400
    assert "Beijing has no active bins to label" in response.content.decode()


# --- API ----------------------------------------------------------------------------------------


def test_the_api_answers_a_pdf_of_the_zone(api_client, warehouse_user, wh):
    _bins(wh, "A", 2)
    _bins(wh, "B", 2)
    api_client.force_authenticate(warehouse_user)
    response = api_client.get(API, {"warehouse": wh.pk, "zone": "B"})
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'inline; filename="bin-labels-BJ-B.pdf"'
    assert barcodes(response.content) == ["BJ-B-01", "BJ-B-02"]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"warehouse": "²"}, "warehouse"),
        ({"warehouse": "NaN"}, "warehouse"),
        ({"warehouse": "987654"}, "warehouse"),
        ({"warehouse": ""}, "warehouse"),
        ({"zone": "A" * 10_000}, "zone"),
        ({"zone": "NOPE"}, "zone"),
        ({"location": "NaN"}, "location"),
        ({"location": "987654"}, "location"),
    ],
)
def test_bad_choices_in_the_api_are_a_400_naming_the_field(api_client, sales_user, wh, params, field):
    bin_at(wh, "A", 1)
    api_client.force_authenticate(sales_user)
    params = {"warehouse": wh.pk, **params} if "location" not in params else params
    response = api_client.get(API, params)
    assert response.status_code == 400
    assert list(response.json()) == [field]


def test_a_warehouse_without_bins_in_the_api_is_a_400(api_client, sales_user, wh):
    api_client.force_authenticate(sales_user)
    response = api_client.get(API, {"warehouse": wh.pk})
    assert response.status_code == 400 and "no active bins" in response.json()["warehouse"][0]


def test_labels_are_read_by_every_reader_of_bins_and_no_one_else(api_client, client, user_with_role, wh):
    bin_at(wh, "A", 1)
    for role in ("sales", "service", "warehouse", "purchasing", "finance", "manager"):
        api_client.force_authenticate(user_with_role(role))
        assert api_client.get(API, {"warehouse": wh.pk}).status_code == 200, role
    api_client.force_authenticate(user_with_role())
    assert api_client.get(API, {"warehouse": wh.pk}).status_code == 403
    client.force_login(user_with_role())
    assert client.get(reverse("inventory:location_labels"), {"warehouse": wh.pk}).status_code == 403


def test_the_schema_describes_the_pdf_and_the_refusal():
    from drf_spectacular.generators import SchemaGenerator

    operation = SchemaGenerator().get_schema(request=None, public=True)["paths"][API]["get"]
    responses = operation["responses"]
    assert list(responses["200"]["content"]) == ["application/pdf"]
    assert responses["200"]["content"]["application/pdf"]["schema"] == {"type": "string", "format": "binary"}
    assert responses["400"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/ValidationError"
    }
    assert {p["name"] for p in operation["parameters"]} == {"warehouse", "zone", "location"}
