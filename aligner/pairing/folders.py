"""``aligner pair EN_DIR KO_DIR``: read two folders of pages or plain texts and pair them."""

from __future__ import annotations

from pathlib import Path

from aligner.model import Article
from aligner.pairing.options import PairingOptions, check_options
from aligner.pairing.pair import Progress, pair_articles
from aligner.pairing.results import PairingResult, Unpaired, ident


def read_folder(folder: str | Path, lang: str) -> tuple[list[Article], list[tuple[str, str]]]:
    """Every page or text file under ``folder`` (recursively, hidden files skipped) as an
    Article, and the files that could not be read with the reason."""
    from aligner.errors import AlignerError, InputError
    from aligner.sources import read_article

    root = Path(folder)
    if not root.is_dir():
        raise InputError(str(root), "no such folder")
    articles: list[Article] = []
    bad: list[tuple[str, str]] = []
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root).parts
        if not path.is_file() or any(part.startswith(".") for part in rel):
            continue
        try:
            article = read_article(path, lang=lang)
        except AlignerError as exc:
            bad.append((str(path), exc.problem))
            continue
        if not article.url:
            article.source_path = str(path)
        articles.append(article)
    return articles, bad


def pair_command(
    en_dir: str | Path,
    ko_dir: str | Path,
    *,
    min_score: float | None = None,
    close_margin: float | None = None,
    check_language: bool = True,
    encoder: str = "use",
    record_in: str | Path | None = None,
    progress: Progress | None = None,
) -> PairingResult:
    """``aligner pair EN_DIR KO_DIR``: read both folders (pages or plain texts), propose pairs.

    With ``record_in`` (a corpus folder), the pairs sure enough to use unattended whose
    sides have URLs are appended to its ``pairs.jsonl`` with ``how="content"``. Raises an
    AlignerError (one line) for unusable thresholds and when every article of a side was
    refused (wrong language, no text), saying when the folders look swapped.
    ``progress(stage, done, total)`` follows the long stages (see ``pair_articles``).
    """
    from aligner.errors import InputError

    options = PairingOptions(check_language=check_language, encoder=encoder)
    if min_score is not None:
        options.min_score = min_score
    if close_margin is not None:
        options.close_margin = close_margin
    check_options(options)  # before reading any folder
    en, bad_en = read_folder(en_dir, "en")
    ko, bad_ko = read_folder(ko_dir, "ko")
    if not en:
        raise InputError(str(en_dir), "no readable English articles")
    if not ko:
        raise InputError(str(ko_dir), "no readable Korean articles")
    result = pair_articles(en, ko, options, progress=progress)
    result.unreadable = bad_en + bad_ko
    _refuse_lost_side(result, (en_dir, len(en), options.en_lang), (ko_dir, len(ko), options.ko_lang))
    if record_in is not None:
        from aligner.sources.manifest import ManifestEntry, record_pair

        for p in result.pairs:
            if not p.sure or not (p.en.url and p.ko.url):
                continue
            record_pair(
                record_in,
                ManifestEntry(
                    en_url=p.en.url,
                    ko_url=p.ko.url,
                    how="content",
                    en_title=p.en.title or None,
                    ko_title=p.ko.title or None,
                    score=round(p.score, 4),
                ),
            )
    return result


def _refuse_lost_side(result: PairingResult, en: tuple[Path | str, int, str], ko: tuple[Path | str, int, str]) -> None:
    """Raise when every article of a side was refused: nothing can pair, and the usual
    cause, an English folder of Korean pages and a Korean one of English pages, deserves
    one line rather than a refusal per article and a zero exit."""
    from aligner.errors import AlignerError
    from aligner.text.langcheck import language_name

    refused = {side: [u for u in result.rejected if u.side == side] for side in ("en", "ko")}
    lost = [
        (side, folder, lang)
        for side, (folder, count, lang) in (("en", en), ("ko", ko))
        if count and len(refused[side]) == count
    ]
    if not lost:
        return
    (en_dir, _, en_lang), (ko_dir, _, ko_lang) = en, ko
    if len(lost) == 2 and _all_read_as(refused["en"], ko_lang) and _all_read_as(refused["ko"], en_lang):
        first, second = language_name(en_lang), language_name(ko_lang)
        raise AlignerError(
            f"{en_dir}, {ko_dir}",
            f"the {first} folder reads as {second} and the {second} folder "
            f"as {first}: the folders look swapped ({first} first, then {second})",
        )
    side, folder, lang = lost[0]
    first_refused = refused[side][0]
    raise AlignerError(
        str(folder),
        f"no article can be paired as {language_name(lang)}: all {len(refused[side])} "
        f"were refused (first {ident(first_refused.article)}: {first_refused.reason})",
    )


def _all_read_as(refused: list[Unpaired], lang: str) -> bool:
    """Every one of these articles is written in ``lang``."""
    from aligner.errors import LanguageError
    from aligner.text.langcheck import detect_language, iso_code

    try:
        return all(detect_language("\n".join(u.article.blocks())) == iso_code(lang) for u in refused)
    except LanguageError:  # no letters: not written in any language
        return False
