"""Extraction throughput on generated ~300-word reports and on real articles, against the
previous release's engine.

    .venv/bin/python benchmarks/extract.py [--docs 400] [--rounds 3] [--no-places]
        [--corpus ../shared/eval/fakes_dev.csv] [--against REV] [--lang ar]

All passes run in this one process over the same corpus; the script prints documents per second
for each and the ratios. Goals: >= 500 real articles per second per core (``--corpus``), and no
more than 15% slower than the previous release's engine (``--against REV``, a git revision: its
``src/`` is unpacked to a temporary folder and run in a worker process that takes turns with a
worker running this checkout, chunk by chunk, over the same texts). For context it prints the
engine's own tokenizer (:func:`marsad.extract.text.tokenize`, the very function ``extract``
starts with) over the same texts, a bare ``\\w+`` regex pass (lower-cased tokens with their
offsets), the least any extractor must do, and a *look-ups only* pass: what every extraction
must do before any reading rule runs (the engine's tokenizer, sentence splitting, the lexicon
trie walk over every sentence and the gazetteer look-up, all as ``extract`` calls them), so the
time the rules take is the difference between it and the full extraction. The corpus is
generated here (seeded), in the style of NGO statements and wire reports, so no third-party text
is needed. ``--lang ar`` generates Arabic reports of the same shape and size instead (goal:
>= 300 per second per core). ``--corpus CSV`` adds a second measurement on real articles (the
``article_content`` column, e.g. FA-KES), read from the given path and never copied.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import random
import re
import subprocess
import sys
import tarfile
import tempfile
import time
from collections.abc import Callable
from functools import partial
from itertools import compress
from operator import eq
from pathlib import Path

from marsad.contract.claim import DocumentMeta
from marsad.extract import engine_for, extract
from marsad.extract.text import WORD, split_sentences, tokenize
from marsad.gazetteer import default_gazetteer
from marsad.lang import load_language_pack

PLACES = [
    "Idlib",
    "Saraqib",
    "Maarat al-Numan",
    "Ariha",
    "Jisr al-Shughur",
    "Kafranbel",
    "Sarmin",
    "Binnish",
    "Atarib",
    "Darat Izza",
    "Khan Shaykhun",
    "Kafr Nabl",
    "Taftanaz",
    "Sarmada",
    "Dana",
    "Harem",
    "Salqin",
    "Maaret Misrin",
    "Jabal al-Zawiya",
    "Latamina",
]
GOVERNORATES = ["Idlib province", "western rural Aleppo", "northern Hama", "southern Idlib"]
ACTORS = [
    "Russian warplanes",
    "Syrian government forces",
    "regime helicopters",
    "Assad forces",
    "HTS fighters",
    "Turkish drones",
    "pro-Iranian militias",
    "unidentified gunmen",
]
MONITORS = [
    "the Syrian Observatory for Human Rights",
    "the White Helmets",
    "the Syria Response Coordinators",
    "SNHR",
    "local activists",
    "civil defence teams",
]
WEAPONS = [
    "barrel bombs",
    "cluster munitions",
    "artillery shells",
    "guided missiles",
    "rockets",
    "suicide drones",
    "incendiary weapons",
]
FACILITIES = [
    "a school",
    "a field hospital",
    "a bakery",
    "a mosque",
    "a displacement camp",
    "a water station",
    "a civil defence centre",
    "a crowded market",
]
DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]
QUALIFIERS = ["", "at least ", "more than ", "nearly ", "around ", "up to ", "over "]
NUMBER_WORDS = ["two", "three", "four", "five", "seven", "nine", "eleven", "a dozen", "dozens of"]
FILLER = [
    "Residents said the bombardment began shortly after dawn and continued for several hours.",
    "Rescue teams worked through the night to pull survivors from the rubble of collapsed homes.",
    "The area has been under intense pressure for months as front lines shifted to the south.",
    "Aid agencies warned that hospitals in the region were running short of fuel and medicine.",
    "Many families who had already fled other towns were sheltering in tents and unfinished "
    "buildings nearby.",
    "Humanitarian organisations called for an immediate halt to attacks on civilian areas.",
    "Local councils said that schools would stay closed until the situation became calmer.",
    "The road linking the town to the border was cut for most of the day, drivers said.",
    "Witnesses described scenes of panic as people ran to basements and makeshift shelters.",
    "Prices of bread and fuel have risen sharply since the start of the latest escalation.",
]


def _num(rng: random.Random) -> str:
    if rng.random() < 0.3:
        return rng.choice(NUMBER_WORDS)
    return rng.choice(QUALIFIERS) + str(rng.choice([3, 4, 6, 8, 12, 15, 21, 27, 35, 60, 114]))


def report(rng: random.Random) -> str:
    place, place2 = rng.sample(PLACES, 2)
    gov = rng.choice(GOVERNORATES)
    actor = rng.choice(ACTORS)
    day = rng.choice(DAYS)
    month = rng.choice(MONTHS)
    monitor = rng.choice(MONITORS)
    weapon = rng.choice(WEAPONS)
    facility = rng.choice(FACILITIES)
    parts = [
        f"{actor.capitalize()} strike {place} as escalation continues",
        "",
        f"{place.upper()}, Syria — {actor.capitalize()} hit {place} in {gov} on {day}, killing "
        f"{_num(rng)} civilians, including {rng.choice(['a child', 'two children', 'three women'])}"
        f", and injuring {_num(rng)} others, according to {monitor}.",
        f"The attack used {weapon} and struck {facility} near the centre of the town, "
        f"{monitor} said.",
        rng.choice(FILLER),
        rng.choice(FILLER),
        f"On {month} {rng.randint(1, 28)}, {rng.choice(ACTORS)} shelled {place2}, where "
        f"{_num(rng)} people were wounded and {_num(rng)} homes were destroyed.",
        rng.choice(FILLER),
        f"Since {rng.randint(1, 28)} {month} {rng.choice([2019, 2020, 2023])}, {monitor} has "
        f"documented {_num(rng)} airstrikes on {_num(rng)} locations, {_num(rng)} of which were "
        f"carried out by {rng.choice(ACTORS)}.",
        f"In total, {_num(rng)} civilians have been killed, one-third of them children, and more "
        f"than {rng.randint(100, 400)} injured.",
        rng.choice(FILLER),
        f'"We heard the planes and then the explosions," said Omar Haddad, '
        f"{rng.randint(20, 60)}, a teacher from {place}.",
        f"Activist Lina Sabbagh told reporters that {_num(rng)} protesters had gathered in "
        f"{place2} on {rng.choice(DAYS)} to denounce the attacks.",
        rng.choice(FILLER),
        rng.choice(FILLER),
        rng.choice(FILLER),
        rng.choice(FILLER),
    ]
    return "\n".join(parts)


AR_PLACES = ["سراقب", "معرة النعمان", "أريحا", "جسر الشغور", "كفرنبل", "سرمين", "بنش", "الأتارب",
    "دارة عزة", "خان شيخون", "كفرزيتا", "اللطامنة", "مورك", "الدانا", "سرمدا"]  # fmt: skip
AR_ACTORS = ["الطيران الروسي", "قوات النظام", "الطائرات الحربية الروسية", "مروحيات النظام",
    "مدفعية النظام", "طائرة مسيرة"]  # fmt: skip
AR_COUNTS = [
    "ثلاثة",
    "خمسة",
    "طفلين",
    "٧",
    "١٢",
    "عشرات",
    "أكثر من 20",
    "ما لا يقل عن 9",
    "قرابة 30",
]
AR_MONTHS = ["كانون الثاني", "شباط", "آذار", "نيسان", "أيار", "حزيران", "تشرين الأول", "أيلول"]
AR_DAYS = ["الاثنين", "الثلاثاء", "الأربعاء", "الخميس", "الجمعة", "السبت", "الأحد"]
AR_FILLER = [
    "وتعاني المنطقة من موجة نزوح كبيرة نحو المخيمات القريبة من الحدود مع تركيا منذ أسابيع.",
    "وناشدت المنظمات الإنسانية المجتمع الدولي التدخل لوقف استهداف المناطق السكنية والمنشآت.",
    "وقالت المجالس المحلية إن المدارس ستبقى مغلقة حتى تهدأ الأوضاع الأمنية في المنطقة.",
    "ووصف شهود عيان حالة من الذعر بين الأهالي الذين لجؤوا إلى الأقبية والملاجئ المؤقتة.",
    "وارتفعت أسعار الخبز والوقود بشكل كبير منذ بداية التصعيد الأخير على المنطقة.",
]


def report_ar(rng: random.Random) -> str:
    """An Arabic report of the shape of :func:`report` (about 300 words)."""
    place, place2 = rng.sample(AR_PLACES, 2)
    actor, day, month = rng.choice(AR_ACTORS), rng.choice(AR_DAYS), rng.choice(AR_MONTHS)
    parts = [
        f"{actor} يقصف {place} مع استمرار التصعيد",
        "",
        f"إدلب - قتل {rng.choice(AR_COUNTS)} مدنيين بينهم أطفال وأصيب {rng.choice(AR_COUNTS)} "
        f"آخرون بجروح، جراء غارات شنها {actor} على مدينة {place} في ريف إدلب يوم {day}، "
        "بحسب الدفاع المدني السوري.",
        "واستهدفت الغارات سوقاً شعبياً ومدرسة قرب مركز المدينة، وفق المرصد السوري لحقوق الإنسان.",
        *rng.sample(AR_FILLER, 2),
        f"وفي {rng.randint(1, 28)} {month} قصفت {rng.choice(AR_ACTORS)} بلدة {place2}، ما أدى إلى "
        f"إصابة {rng.choice(AR_COUNTS)} أشخاص وتدمير عدد من المنازل.",
        *rng.sample(AR_FILLER, 2),
        f"ووثقت الشبكة السورية لحقوق الإنسان منذ مطلع {month} مقتل {rng.choice(AR_COUNTS)} مدنياً، "
        f"ثلثهم من الأطفال، وإصابة أكثر من {rng.randint(100, 400)} آخرين.",
        f"وقال الناشط الإعلامي سامر العبدالله إن {rng.choice(AR_COUNTS)} متظاهرين خرجوا في "
        f"{place2} للتنديد بالقصف.",
        *rng.sample(AR_FILLER, 3),
        *rng.sample(AR_FILLER, 3),
    ]
    return "\n".join(parts)


_WORD = re.compile(r"\w+")


def regex_floor(text: str) -> list[tuple[str, int]]:
    """A bare ``\\w+`` pass: lower-cased tokens and offsets, the least an extractor must do."""
    return [(m.group().lower(), m.start()) for m in _WORD.finditer(text)]


def tokenize_only(text: str, lang: str = "en") -> object:
    """The engine's own first step, exactly as ``extract`` runs it (same function, same text)."""
    engine = engine_for(load_language_pack(lang))
    return tokenize(text, engine.pack.writing, engine.known)


def lookups_only(places: bool, lang: str = "en") -> Callable[[str], object]:
    """The stages of ``Engine.extract`` that no reading rule can skip, called as it calls them:
    tokenize, split sentences, walk the lexicon trie over each sentence, look up places."""
    engine = engine_for(load_language_pack(lang))
    matcher, abbreviations = engine.matcher, engine.pack.grammar.abbreviations
    gazetteer = default_gazetteer() if places else None

    def run(text: str) -> object:
        tokens = tokenize(text, engine.pack.writing, engine.known)
        nodes = matcher.first_nodes(tokens)
        found = [
            matcher.match(tokens, s.start, s.end, nodes)
            for s in split_sentences(tokens, abbreviations)
        ]
        if gazetteer is not None:
            is_word = list(map(eq, tokens.kinds, [WORD] * len(tokens.kinds)))
            words = (list(compress(tokens.starts, is_word)), list(compress(tokens.ends, is_word)))
            found.append(gazetteer.locate(text, words=words))  # type: ignore[arg-type]
        return found

    return run


def best_rates(
    passes: list[Callable[[str], object]], docs: list[str], rounds: int, chunk: int = 50
) -> list[float]:
    """Documents per second of each pass, from the best of ``rounds`` rounds.

    The passes take turns every ``chunk`` documents, so a burst of load from elsewhere on a
    shared machine slows all of them alike instead of whichever pass happened to be running;
    within a chunk each pass runs alone, so it keeps its own code and data warm in the CPU
    caches (per-document turns would slow the short tokenizer pass most and flatter the
    ratio)."""
    clock = time.perf_counter
    best = [float("inf")] * len(passes)
    for _ in range(rounds):
        spent = [0.0] * len(passes)
        for at in range(0, len(docs), chunk):
            part = docs[at : at + chunk]
            for k, fn in enumerate(passes):
                t0 = clock()
                for d in part:
                    fn(d)
                spent[k] += clock() - t0
        best = [min(b, t) for b, t in zip(best, spent, strict=True)]
    return [len(docs) / b for b in best]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--docs", type=int, default=400)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--no-places", action="store_true", help="skip the gazetteer")
    ap.add_argument("--corpus", help="CSV with an article_content column (real articles)")
    ap.add_argument("--against", metavar="REV", help="git revision of the previous release")
    ap.add_argument("--lang", default="en", choices=["en", "ar"], help="language of the reports")
    args = ap.parse_args()
    rng = random.Random(args.seed)
    make = report_ar if args.lang == "ar" else report
    measure(f"generated ({args.lang})", [make(rng) for _ in range(args.docs)], args)
    if args.corpus:
        with open(args.corpus, encoding="utf-8", newline="") as f:
            real = [row["article_content"] for row in csv.DictReader(f)][: args.docs]
        measure(f"real ({args.corpus})", real, args)
        if args.against:
            compare_release(args.against, real, args)


# A worker runs one checkout's engine: it reads the corpus, warms up, then for each line "a b"
# it extracts documents a..b and prints the seconds that took.
_WORKER = """
import json, sys, time
from marsad.extract import extract
from marsad.contract.claim import DocumentMeta
docs = json.load(open(sys.argv[1], encoding="utf-8"))
meta = DocumentMeta(published="2023-10-25")
kwargs = {} if sys.argv[2] == "places" else {"gazetteer": None}
for d in docs[:50]:
    extract(d, meta, **kwargs)
print("ready", flush=True)
for line in sys.stdin:
    a, b = map(int, line.split())
    t0 = time.perf_counter()
    for d in docs[a:b]:
        extract(d, meta, **kwargs)
    print(time.perf_counter() - t0, flush=True)
"""


def compare_release(rev: str, docs: list[str], args: argparse.Namespace, chunk: int = 50) -> None:
    """This checkout's engine against the one at ``rev``, in two workers taking turns."""
    root = Path(__file__).resolve().parent.parent
    archive = subprocess.run(
        ["git", "-C", str(root), "archive", rev, "src"], capture_output=True, check=True
    ).stdout
    with tempfile.TemporaryDirectory() as tmp:
        with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
            tar.extractall(tmp, filter="data")
        corpus = Path(tmp) / "docs.json"
        corpus.write_text(json.dumps(docs), encoding="utf-8")
        mode = "none" if args.no_places else "places"
        workers = [_worker(src, corpus, mode) for src in (root / "src", Path(tmp) / "src")]
        best = [float("inf"), float("inf")]
        for _ in range(args.rounds):
            spent = [0.0, 0.0]
            for at in range(0, len(docs), chunk):
                for k, w in enumerate(workers):
                    assert w.stdin is not None and w.stdout is not None
                    w.stdin.write(f"{at} {at + chunk}\n")
                    w.stdin.flush()
                    spent[k] += float(w.stdout.readline())
            best = [min(b, t) for b, t in zip(best, spent, strict=True)]
        for w in workers:
            assert w.stdin is not None
            w.stdin.close()
            w.wait()
    now, then = (len(docs) / b for b in best)
    print(f"this checkout: {now:,.0f} docs/s; {rev}: {then:,.0f} docs/s")
    slower = 1 - now / then
    verdict = "met" if slower <= 0.15 else "NOT met"
    print(f"change against {rev}: {-slower:+.1%} (goal: no more than 15% slower: {verdict})")


def _worker(src: Path, corpus: Path, mode: str) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": str(src), "PYTHONHASHSEED": "0"}
    w = subprocess.Popen(
        [sys.executable, "-c", _WORKER, str(corpus), mode],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    )
    assert w.stdout is not None
    if w.stdout.readline().strip() != "ready":
        raise SystemExit(f"the engine at {src} did not start")
    return w


def measure(name: str, docs: list[str], args: argparse.Namespace) -> None:
    words = sum(len(regex_floor(d)) for d in docs) / len(docs)
    meta = DocumentMeta(published="2023-10-25", language=args.lang)
    if args.no_places:

        def run(d: str) -> object:
            return extract(d, meta, gazetteer=None)
    else:

        def run(d: str) -> object:
            return extract(d, meta)

    claims = sum(len(extract(d, meta)) for d in docs[:50]) / 50  # warm caches, report density
    tok_rate, floor_rate, look_rate, ext_rate = best_rates(
        [
            partial(tokenize_only, lang=args.lang),
            regex_floor,
            lookups_only(not args.no_places, args.lang),
            run,
        ],
        docs,
        args.rounds,
    )
    print(f"corpus {name}: {len(docs)} documents, {words:.0f} words each on average")
    print(f"claims per report (first 50): {claims:.1f}")
    print(f"tokenizer-only (engine tokenize): {tok_rate:,.0f} docs/s")
    print(f"bare \\w+ regex (reference floor): {floor_rate:,.0f} docs/s")
    print(f"look-ups only (no reading rules): {look_rate:,.0f} docs/s")
    print(f"extract{' (no places)' if args.no_places else ''}: {ext_rate:,.0f} docs/s")
    tok_us, look_us, ext_us = (1e6 / r for r in (tok_rate, look_rate, ext_rate))
    print(
        f"per document: tokenizer {tok_us:,.0f} us; look-ups {look_us:,.0f} us "
        f"({look_us / tok_us:.2f} tokenizer passes); reading rules {ext_us - look_us:,.0f} us "
        f"({(ext_us - look_us) / tok_us:.2f}); extraction {ext_us:,.0f} us "
        f"({ext_us / tok_us:.2f})"
    )
    print(f"ratio extract/tokenizer: {ext_rate / tok_rate:.3f}")
    print(f"ratio extract/bare regex: {ext_rate / floor_rate:.3f}")
    goal = 300 if args.lang == "ar" else 500
    print(f"goal >= {goal} docs/s per core: {'met' if ext_rate >= goal else 'NOT met'}")


if __name__ == "__main__":
    main()
