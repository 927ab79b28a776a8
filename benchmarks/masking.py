"""Speed of the protected-name masker (:class:`marsad.protect.names.NameMasker`).

    .venv/bin/python benchmarks/masking.py [--persons 5000] [--kb 100] [--seed 7]

Generates ``--persons`` invented names (Latin given name + surname with or without an article,
every third with an Arabic alias and every fifth with a kunya alias) from syllables, and an
English text of ``--kb`` kilobytes made of ordinary sentences with now and then one of those
names in some written form. Prints the time to build the masker, then the time and MB/s to mask
the text on the first pass (every token new to the cache) and on later passes (warm cache, as
in a server that masks every response), and how many spans were found.
Goals: build under 0.5 s and 100 KB under 50 ms with 5,000 persons.
"""

from __future__ import annotations

import argparse
import random
import time

from marsad.protect.names import NameMasker, ProtectedName

ONSETS = ["b", "d", "f", "h", "j", "k", "kh", "l", "m", "n", "q", "r", "s", "sh", "t", "w", "z"]
VOWELS = ["a", "i", "ou", "e", "a", "oo", "ai"]
CODAS = ["", "", "m", "n", "r", "l", "d", "s", "b", "h"]
AR_LETTERS = "ابتثجحخدذرزسشصضطظعغفقكلمنهوي"
SENTENCE_TEXT = """
the a of in on at to from with and for was were has have had by after before during village town
market school hospital strike shelling morning evening night day week killed wounded injured
civilians children women men families residents witnesses said told reported confirmed according
local sources monitors team field road house near north south east west outskirts centre district
province countryside camp people two three four five several dozens many some early late again
still there their
"""
SENTENCE_WORDS = SENTENCE_TEXT.split()


def invented_word(rng: random.Random, syllables: int) -> str:
    word = "".join(rng.choice(ONSETS) + rng.choice(VOWELS) for _ in range(syllables))
    return (word + rng.choice(CODAS)).capitalize()


def invented_persons(rng: random.Random, count: int) -> list[ProtectedName]:
    persons = []
    for i in range(count):
        given, family = invented_word(rng, 2), invented_word(rng, rng.choice((2, 3)))
        surname = f"al-{family}" if i % 2 else family
        aliases: list[str] = []
        if i % 3 == 0:
            aliases.append(" ".join("".join(rng.choices(AR_LETTERS, k=4)) for _ in range(2)))
        if i % 5 == 0:
            aliases.append(f"Abu {invented_word(rng, 2)}")
        persons.append(ProtectedName(f"{given} {surname}", tuple(aliases)))
    return persons


def invented_text(rng: random.Random, persons: list[ProtectedName], size: int) -> str:
    out: list[str] = []
    length = 0
    while length < size:
        words = rng.choices(SENTENCE_WORDS, k=rng.randint(8, 20))
        if rng.random() < 0.3:
            name = rng.choice(persons).name
            words.insert(rng.randrange(len(words)), rng.choice((name, name.split()[-1])))
        sentence = " ".join(words).capitalize() + ". "
        out.append(sentence)
        length += len(sentence)
    return "".join(out)[:size]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--persons", type=int, default=5000)
    parser.add_argument("--kb", type=int, default=100)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    persons = invented_persons(rng, args.persons)
    text = invented_text(rng, persons, args.kb * 1000)
    NameMasker(["Warm Up"])  # the YAML rules are read once per process

    started = time.perf_counter()
    masker = NameMasker(persons)
    built = time.perf_counter() - started
    print(f"build: {args.persons} persons in {built * 1000:.0f} ms")

    for label in ("first pass (cold cache)", "later passes (warm cache)"):
        runs = 1 if label.startswith("first") else 10
        started = time.perf_counter()
        for _ in range(runs):
            spans = masker.spans(text)
        took = (time.perf_counter() - started) / runs
        mb_s = len(text) / 1e6 / took
        print(f"{label}: {len(text) / 1000:.0f} KB in {took * 1000:.1f} ms ({mb_s:.2f} MB/s)")
    print(f"spans found: {len(spans)}")


if __name__ == "__main__":
    main()
