"""``compilemessages`` that also works without GNU gettext.

With ``msgfmt`` on the PATH this is Django's command. Without it (a fresh machine that has only
Python), every ``locale/*/LC_MESSAGES/*.po`` under the project is compiled with polib, so
``make install`` never needs a system package to produce the ``.mo`` files. Like Django's, it
leaves a ``.mo`` newer than its ``.po`` alone, and it replaces a ``.mo`` in one step (written
beside it, then renamed): a process starting meanwhile reads the old catalogue or the new one,
never half of one or none.
"""

import os
import shutil
import tempfile
from pathlib import Path

import polib
from django.conf import settings
from django.core.management.commands import compilemessages


class Command(compilemessages.Command):
    def handle(self, **options):
        if shutil.which(self.program):
            return super().handle(**options)
        ignore = set(options.get("ignore_patterns") or []) | {".git", ".venv", "node_modules", "var"}
        wanted = set(options.get("locale") or [])
        compiled = 0
        for po_path in sorted(Path(settings.BASE_DIR).rglob("locale/*/LC_MESSAGES/*.po")):
            parts = po_path.relative_to(settings.BASE_DIR).parts
            if any(part in ignore for part in parts):
                continue
            if wanted and po_path.parent.parent.name not in wanted:
                continue
            mo_path = po_path.with_suffix(".mo")
            if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
                continue
            write_mofile(polib.pofile(str(po_path)), mo_path)
            compiled += 1
            if options["verbosity"] > 0:
                self.stdout.write(f"processing file {po_path.name} in {po_path.parent}")
        if options["verbosity"] > 0:
            self.stdout.write(f"Compiled {compiled} catalogues without msgfmt (polib).")


def write_mofile(po: polib.POFile, mo_path: Path) -> None:
    handle, temporary = tempfile.mkstemp(dir=mo_path.parent, prefix=f".{mo_path.name}.", suffix=".tmp")
    os.close(handle)
    try:
        po.save_as_mofile(temporary)
        os.chmod(temporary, 0o644)
        os.replace(temporary, mo_path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
