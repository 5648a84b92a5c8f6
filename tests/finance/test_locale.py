from pathlib import Path

from django.conf import settings

CATALOGUE = Path(settings.BASE_DIR) / "finance" / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"


def test_finance_catalogue_has_no_fuzzy_or_empty_entries():
    text = CATALOGUE.read_text(encoding="utf-8")
    entries = [e for e in text.split("\n\n") if "\nmsgid " in "\n" + e]
    assert len(entries) > 100
    problems = []
    for entry in entries[1:]:  # the first is the header
        lines = entry.splitlines()
        if any(line.startswith("#,") and "fuzzy" in line for line in lines):
            problems.append(entry)
            continue
        index = next(i for i, line in enumerate(lines) if line.startswith("msgstr"))
        value = lines[index][len('msgstr "') : -1] + "".join(line[1:-1] for line in lines[index + 1 :])
        if not value:
            problems.append(entry)
    assert problems == []
