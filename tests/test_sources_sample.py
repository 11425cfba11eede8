"""The shipped sample corpus: every page parses, pairs resolve through the cache, and the
committed pages are exactly what ``corpora/build_sample.py`` makes."""

from __future__ import annotations

import filecmp
import importlib.util
import sys
from collections import Counter

import pytest

from aligner.sources import PageCache, parse_page
from tests.conftest import ROOT, SAMPLE

NTREX = ROOT / "corpora" / "source" / "ntrex"
EN_HOST = "english.hani.co.kr"


@pytest.fixture(scope="module")
def cache() -> PageCache:
    return PageCache(SAMPLE)


def test_sample_pairs_resolve(cache):
    english = list(cache.iter_pages(EN_HOST))
    assert len(english) == 11
    layouts: Counter[str] = Counter()
    unpaired = []
    for url, _path in english:
        en = parse_page(cache.get(url), url)
        assert en.layout == "hani-en" and en.lang == "en"
        assert en.title and en.paragraphs and en.published and en.byline and en.original_url
        ko_data = cache.get(en.original_url)
        if ko_data is None:
            unpaired.append(url)
            continue
        ko = parse_page(ko_data, en.original_url)
        assert ko.lang == "ko" and ko.title and ko.paragraphs and ko.byline
        layouts[ko.layout] += 1
    assert unpaired == ["https://english.hani.co.kr/arti/english_edition/e_international/684758.html"]
    assert layouts == {"hani-ko-old": 5, "hani-ko-2023": 5}


def test_sample_files(cache):
    assert (SAMPLE / "LICENSE.md").read_text(encoding="utf-8").startswith("Attribution-ShareAlike 4.0")
    readme = (SAMPLE / "README.md").read_text(encoding="utf-8")
    assert "NTREX-128" in readme and "CC BY-SA 4.0" in readme and "2015-03-30" in readme
    rows = (SAMPLE / "MANIFEST.tsv").read_text(encoding="utf-8").splitlines()
    assert len(rows) == 12


def test_builder_reproduces_the_committed_sample(tmp_path):
    spec = importlib.util.spec_from_file_location("build_sample", ROOT / "corpora" / "build_sample.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["build_sample"] = module  # dataclasses look their module up there
    try:
        spec.loader.exec_module(module)
    finally:
        sys.modules.pop("build_sample", None)
    module.build(tmp_path)
    built = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*") if p.is_file())
    shipped = sorted(
        p.relative_to(SAMPLE)
        for p in SAMPLE.rglob("*")
        if p.is_file() and not p.name.startswith("corpus.db") and "export" not in p.parts
    )
    assert built == shipped
    for rel in built:
        assert filecmp.cmp(tmp_path / rel, SAMPLE / rel, shallow=False), f"{rel} differs: rerun corpora/build_sample.py"
