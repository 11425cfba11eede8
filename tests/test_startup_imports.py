"""What `aligner align` loads to align two sentences: a guard on start-up, counted in
modules rather than seconds (a busy machine stretches seconds, never imports).

Each of these took a quarter to half a second of the two-sentence align when it was
loaded at start-up: sacremoses' tokenizer (hundreds of regular expressions, built by
`import sacremoses`), Kiwi, trafilatura (only other sites' pages need it), langdetect's
profiles (a plainly English text needs no statistics), pandas and httpx.
"""

from __future__ import annotations

import json
import subprocess
import sys

from tests.conftest import ROOT, child_env

HEAVY = ("sacremoses.tokenize", "kiwipiepy", "trafilatura", "langdetect", "pandas", "httpx", "scipy")


def test_a_two_sentence_align_loads_none_of_the_heavy_modules(tmp_path):
    en, ko = tmp_path / "en.txt", tmp_path / "ko.txt"
    en.write_text("The minister arrived on Monday.\nShe met the president.\n", encoding="utf-8")
    ko.write_text("장관이 월요일에 도착했다.\n그는 대통령을 만났다.\n", encoding="utf-8")
    probe = (
        "import json, sys\n"
        "from aligner.cli import main\n"
        f"code = main(['align', {str(en)!r}, {str(ko)!r}])\n"
        f"print(json.dumps([code, [m for m in {HEAVY!r} if m in sys.modules]]), file=sys.stderr)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, env=child_env(), capture_output=True, text=True, timeout=300
    )
    code, loaded = json.loads(done.stderr.strip().splitlines()[-1])
    assert code == 0, done.stderr
    beads = done.stdout.splitlines()
    assert len(beads) == 2 and beads[0].startswith("[0]:[0]:") and beads[1].startswith("[1]:[1]:"), beads
    assert loaded == [], f"loaded at start-up: {loaded}"
