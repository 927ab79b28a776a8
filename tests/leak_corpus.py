"""An invented corpus for the leak-scan test: 30 protected people, each named in every form a
report may use (full name, surname alone, titles, odd spacing, case, hyphens, al-/el- and
transliteration variants, titles, file names, URL slugs, Arabic), across 50 short reports of
attacks in northwest Syria that the engine turns into incidents.

Every person, place pairing and sentence here is made up for the tests. Each name put into a
report is recorded as a :class:`Mention` with the exact characters inserted, so the test can
check its own checker: it must find every mention, and nothing once the mentions are blanked.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

NBSP = "\u00a0"
ZWSP = "\u200b"


@dataclass(frozen=True)
class Person:
    key: str
    given: str
    family: str  # Latin, without its article
    article: str  # "al-", "el-" or ""
    arabic: str  # the name in Arabic script
    arabic_variants: tuple[str, ...]  # other Arabic spellings the reports use
    variants: tuple[str, str]  # other Latin spellings of the family name the reports use
    title: str  # "Ms.", "Mr.", "Dr.", "Sheikh" or "Abu" (before the family name)
    role: str
    extracted: bool  # named once with a role cue, so the extractor finds the person

    @property
    def surname(self) -> str:
        return f"{self.article}{self.family}"

    @property
    def name(self) -> str:
        return f"{self.given} {self.surname}"

    @property
    def aliases(self) -> tuple[str, ...]:
        """What an analyst must give: the Arabic forms, which no Latin rule can derive."""
        return (self.arabic, *self.arabic_variants)

    @property
    def family_spellings(self) -> tuple[str, ...]:
        return (self.family, *self.variants)


def _p(
    n: int,
    given: str,
    family: str,
    arabic: str,
    variants: tuple[str, str],
    title: str,
    role: str,
    *,
    article: str = "",
    arabic_variants: tuple[str, ...] = (),
) -> Person:
    return Person(
        key=f"p{n:02d}",
        given=given,
        family=family,
        article=article,
        arabic=arabic,
        arabic_variants=arabic_variants,
        variants=variants,
        title=title,
        role=role,
        extracted=n <= 12,
    )


PEOPLE: tuple[Person, ...] = (
    _p(1, "Huda", "Qassem", "هدى قاسم", ("Kassem", "Qasim"), "Ms.", "activist"),
    _p(
        2,
        "Marwan",
        "Sabbagh",
        "مروان الصباغ",
        ("Sabagh", "Sabbag"),
        "Dr.",
        "witness",
        article="al-",
        arabic_variants=("مروان صباغ",),
    ),
    _p(3, "Rasha", "Kurdiyeh", "رشا كردية", ("Kurdieh", "Kurdiya"), "Ms.", "journalist"),
    _p(4, "Nizar", "Hallaq", "نزار حلاق", ("Hallak", "Hallaak"), "Abu", "witness"),
    _p(5, "Samah", "Tarabishi", "سماح طرابيشي", ("Trabishi", "Tarabeshi"), "Ms.", "defender"),
    _p(6, "Bassel", "Shukair", "باسل شقير", ("Shuqair", "Shkeir"), "Mr.", "activist"),
    _p(
        7,
        "Ilham",
        "Mardini",
        "إلهام مارديني",
        ("Mardeeni", "Mardiny"),
        "Dr.",
        "witness",
        arabic_variants=("الهام ماردينى",),
    ),
    _p(8, "Ziad", "Sarraj", "زياد سراج", ("Sarrag", "Siraj"), "Abu", "journalist"),
    _p(
        9,
        "Lubna",
        "Kayyali",
        "لبنى الكيالي",
        ("Kayali", "Kayyaly"),
        "Ms.",
        "activist",
        article="al-",
    ),
    _p(10, "Fadi", "Haffar", "فادي حفار", ("Hafar", "Haffaar"), "Mr.", "witness"),
    _p(11, "Nisreen", "Dabbagh", "نسرين دباغ", ("Debbagh", "Dabagh"), "Ms.", "defender"),
    _p(
        12,
        "Yamen",
        "Shehadeh",
        "يامن شحادة",
        ("Shahada", "Shehade"),
        "Sheikh",
        "activist",
        arabic_variants=("يامن شحاده",),
    ),
    _p(13, "Dalia", "Azzouz", "داليا عزوز", ("Azouz", "Azzuz"), "Ms.", "activist"),
    _p(14, "Khaldoun", "Najjar", "خلدون نجار", ("Nejjar", "Najar"), "Abu", "witness"),
    _p(15, "Manal", "Sukkari", "منال سكري", ("Soukkari", "Sukari"), "Dr.", "witness"),
    _p(
        16,
        "Ghaith",
        "Attar",
        "غيث العطار",
        ("Atar", "Attaar"),
        "Mr.",
        "journalist",
        article="al-",
        arabic_variants=("غيث عطار",),
    ),
    _p(17, "Kinda", "Bitar", "كندة بيطار", ("Baytar", "Bitaar"), "Ms.", "defender"),
    _p(18, "Tamer", "Jabri", "تامر جابري", ("Jabry", "Jaberi"), "Mr.", "witness"),
    _p(
        19,
        "Wafaa",
        "Rifai",
        "وفاء الرفاعي",
        ("Refai", "Rifaai"),
        "Dr.",
        "witness",
        article="el-",
        arabic_variants=("وفاء رفاعى",),
    ),
    _p(20, "Anas", "Tabbakh", "أنس طباخ", ("Tabakh", "Tabbach"), "Abu", "activist"),
    _p(21, "Suhair", "Khayyat", "سهير خياط", ("Khayat", "Kayyat"), "Ms.", "journalist"),
    _p(22, "Hazem", "Qaddour", "حازم قدور", ("Kaddour", "Qadour"), "Mr.", "witness"),
    _p(23, "Raghad", "Sawwan", "رغد صوان", ("Sawan", "Sowwan"), "Ms.", "activist"),
    _p(24, "Bilal", "Kanjo", "بلال كنجو", ("Kanjou", "Kenjo"), "Abu", "witness"),
    _p(25, "Yusra", "Fattouh", "يسرى فتوح", ("Fatouh", "Fattuh"), "Dr.", "witness"),
    _p(
        26,
        "Mazen",
        "Mallah",
        "مازن الملاح",
        ("Malah", "Mellah"),
        "Mr.",
        "defender",
        article="al-",
    ),
    _p(27, "Afraa", "Sheikho", "عفراء شيخو", ("Shaikho", "Cheikho"), "Ms.", "activist"),
    _p(28, "Adnan", "Zakkour", "عدنان زكور", ("Zakour", "Zakkur"), "Abu", "witness"),
    _p(
        29,
        "Hanan",
        "Kabbara",
        "حنان كبارة",
        ("Kabbarah", "Kabara"),
        "Ms.",
        "journalist",
        arabic_variants=("حنان كباره",),
    ),
    _p(30, "Munir", "Mawas", "منير مواس", ("Mawwas", "Mouas"), "Sheikh", "witness"),
)
BY_KEY = {p.key: p for p in PEOPLE}


@dataclass(frozen=True)
class Mention:
    person: str  # Person.key
    where: str  # "body", "title", "file name" or "url"
    form: str  # what kind of form: "full", "surname", "nbsp", "arabic", ...
    text: str  # the exact characters put into the report


@dataclass
class Report:
    file_name: str
    title: str
    source: str
    url: str
    published: str
    language: str
    sensitivity: str
    body: list[str] = field(default_factory=list)
    mentions: list[Mention] = field(default_factory=list)

    def render(self) -> str:
        front = {
            "title": self.title,
            "source": self.source,
            "url": self.url,
            "published": self.published,
            "language": self.language,
            "sensitivity": self.sensitivity,
        }
        # JSON strings are valid YAML scalars: titles with colons or Arabic stay intact
        head = "\n".join(f"{k}: {json.dumps(v, ensure_ascii=False)}" for k, v in front.items())
        return f"---\n{head}\n---\n" + "\n\n".join(self.body) + "\n"


# -- what happened: one English sentence per incident (places in the gazetteer) ------------


@dataclass(frozen=True)
class Scene:
    day: str  # ISO date of the attack
    place: str  # slug for file names and URLs
    headline: str
    text: str


SCENES: tuple[Scene, ...] = (
    Scene(
        "2023-10-10",
        "kafr-nabl",
        "Bakery struck in Kafr Nabl",
        "On Tuesday, 10 October 2023, Syrian government warplanes struck a bakery in Kafr Nabl, "
        "southern Idlib, killing four civilians and wounding nine.",
    ),
    Scene(
        "2023-10-11",
        "saraqib",
        "Poultry farm hit near Saraqib",
        "Russian warplanes carried out an air strike on a poultry farm on the edge of Saraqib on "
        "Wednesday, 11 October 2023, killing two workers and injuring five.",
    ),
    Scene(
        "2023-10-12",
        "taftanaz",
        "Shelling of Taftanaz homes",
        "Government artillery shelled houses in Taftanaz on Thursday, 12 October 2023; three "
        "civilians, one of them a child, were killed and six were wounded.",
    ),
    Scene(
        "2023-10-14",
        "armanaz",
        "Drone strike on a car in Armanaz",
        "A regime suicide drone hit a civilian car at the entrance of Armanaz on Saturday, "
        "14 October 2023, killing the driver and injuring two passengers.",
    ),
    Scene(
        "2023-10-15",
        "salqin",
        "Market air strike in Salqin",
        "On Sunday, 15 October 2023, Russian warplanes bombed the vegetable market in Salqin, "
        "killing seven civilians and wounding at least twenty.",
    ),
    Scene(
        "2023-10-16",
        "kafr-takharim",
        "Olive press shelled in Kafr Takharim",
        "Government forces shelled an olive press in Kafr Takharim on Monday, 16 October 2023, "
        "killing two men and wounding four.",
    ),
    Scene(
        "2023-10-17",
        "ariha",
        "School damaged in Ariha strike",
        "A Syrian government air strike hit a primary school in Ariha on Tuesday, 17 October "
        "2023; one teacher was killed and eleven children were injured.",
    ),
    Scene(
        "2023-10-18",
        "binnish",
        "Rocket attack on Binnish",
        "Rockets fired by government forces struck a residential street in Binnish on "
        "Wednesday, 18 October 2023, killing five civilians, among them two women.",
    ),
    Scene(
        "2023-10-19",
        "darat-izza",
        "Clinic hit in Darat Izza",
        "On Thursday, 19 October 2023, Russian warplanes struck a clinic in Darat Izza, western "
        "Aleppo countryside, killing three civilians and injuring eight.",
    ),
    Scene(
        "2023-10-20",
        "atarib",
        "Cluster munitions on Atarib",
        "Government forces fired cluster munitions at farmland outside Atarib on Friday, "
        "20 October 2023, killing two farmers and wounding three.",
    ),
    Scene(
        "2023-10-21",
        "jisr-al-shughur",
        "Strike on Jisr al-Shughur water station",
        "A Russian air strike hit the water station of Jisr al-Shughur on Saturday, 21 October "
        "2023, killing one worker and injuring four.",
    ),
    Scene(
        "2023-10-22",
        "sarmada",
        "Drone attack on Sarmada workshop",
        "A regime drone struck a car-repair workshop in Sarmada on Sunday, 22 October 2023, "
        "killing three men and wounding two.",
    ),
    Scene(
        "2023-10-23",
        "al-bara",
        "Shelling of Al-Bara",
        "Government artillery shelled the village of Al-Bara in Jabal al-Zawiya on Monday, "
        "23 October 2023, killing a woman and her two children.",
    ),
    Scene(
        "2023-10-24",
        "kansafra",
        "Air strike on Kansafra",
        "Syrian government warplanes carried out an air strike on Kansafra on Tuesday, "
        "24 October 2023, killing four civilians and injuring seven.",
    ),
    Scene(
        "2023-10-25",
        "maarat-misrin",
        "Mosque damaged in Maarat Misrin",
        "On Wednesday, 25 October 2023, rockets fired by government forces damaged a mosque in "
        "Maarat Misrin, killing two worshippers and wounding five.",
    ),
    Scene(
        "2023-10-26",
        "termanin",
        "Shelling near Termanin",
        "Government forces shelled the outskirts of Termanin on Thursday, 26 October 2023, "
        "killing one shepherd and injuring three children.",
    ),
    Scene(
        "2023-10-27",
        "dana",
        "Displacement camp hit near Dana",
        "A Russian air strike hit a camp for displaced families near Dana on Friday, 27 October "
        "2023, killing six civilians and wounding fourteen.",
    ),
    Scene(
        "2023-10-28",
        "atmeh",
        "Drone strike in Atmeh",
        "A regime suicide drone struck a minibus near Atmeh on Saturday, 28 October 2023, "
        "killing two passengers and injuring six.",
    ),
    Scene(
        "2023-10-30",
        "afrin",
        "Shelling of Afrin",
        "Artillery shells fired by government forces landed in a residential area of Afrin on "
        "Monday, 30 October 2023, killing three civilians and wounding ten.",
    ),
    Scene(
        "2023-10-31",
        "jinderes",
        "Strike on Jinderes fields",
        "On Tuesday, 31 October 2023, Russian warplanes struck fields outside Jinderes, killing "
        "two farm workers and injuring one.",
    ),
    Scene(
        "2023-11-01",
        "azaz",
        "Rocket attack on Azaz",
        "Rockets fired by government forces hit a market street in Azaz on Wednesday, "
        "1 November 2023, killing four civilians and wounding twelve.",
    ),
    Scene(
        "2023-11-02",
        "idlib",
        "Air strike on Idlib city",
        "Syrian government warplanes bombed a residential block in Idlib city on Thursday, "
        "2 November 2023, killing five civilians and injuring sixteen.",
    ),
    Scene(
        "2023-11-03",
        "harem",
        "Shelling of Harem",
        "Government forces shelled the town of Harem on Friday, 3 November 2023, killing one "
        "child and wounding four civilians.",
    ),
    Scene(
        "2023-11-04",
        "kafr-nabl",
        "Second strike on Kafr Nabl",
        "A Russian air strike hit a fuel depot in Kafr Nabl on Saturday, 4 November 2023, "
        "killing three workers and injuring five.",
    ),
    Scene(
        "2023-11-05",
        "saraqib",
        "Drone attack near Saraqib",
        "A regime drone struck a tractor near Saraqib on Sunday, 5 November 2023, killing two "
        "farmers.",
    ),
)

# -- sentences that name a person with no cue the extractor would read as a name ------------

PLAIN_SENTENCES = (
    "The clinic run by {X} took in most of the casualties.",
    "A photograph sent by {X} shows the collapsed roof.",
    "Messages from {X} reached our team late in the evening.",
    "The list of families compiled by {X} was shared with the local council.",
    "Our monitor reached {X} by telephone the next morning.",
    "The appeal was signed by {X} on behalf of the residents' committee.",
    "Footage filmed by {X} from a rooftop shows two columns of smoke.",
    "The home of {X} lies two streets away from the impact site.",
    "Contact with {X} was lost for several hours after the attack.",
    "A relief group led by {X} handed out blankets to displaced families.",
    "Our team has been in touch with {X} since the first week of October.",
    "The names of the dead were gathered by {X} at the hospital gate.",
)
ARABIC_SENTENCES = (
    "بحسب {A}، لم تتمكن سيارات الإسعاف من الوصول إلى الحي.",
    "تواصل فريقنا مع {A} صباح اليوم التالي.",
    "وصلتنا من {A} صور للمبنى المدمر.",
    "طلب فريق الرصد عدم نشر اسم {A}.",
    "وتقيم عائلة {A} على بعد شارعين من مكان الضربة.",
)
CUE_WORDS = {
    "activist": "local activist",
    "journalist": "journalist",
    "defender": "lawyer",
    "witness": "resident",
}
SOURCES = (
    "Northwest Syria Monitor",
    "Idlib Field Monitors Network",
    "Syria Civilians Watch",
    "Levant Wire",
)

# Arabic reports: what happened, in Arabic (the engine reads English, so these stay documents)
ARABIC_SCENES = (
    "قصفت طائرات حربية تابعة للنظام السوري صباح الأحد سوقاً شعبياً في مدينة أريحا بريف إدلب، "
    "ما أدى إلى مقتل ثلاثة مدنيين وإصابة سبعة آخرين.",
    "استهدفت قوات النظام بالمدفعية الثقيلة منازل المدنيين في بلدة تفتناز، ما أسفر عن مقتل "
    "طفل وإصابة أربعة.",
    "شنت طائرات روسية غارة جوية على مخيم للنازحين قرب الدانا، وقتل فيها خمسة مدنيين.",
    "سقطت قذائف صاروخية على حي سكني في مدينة إدلب، وأصيب عشرة مدنيين بجروح.",
    "استهدفت طائرة مسيّرة انتحارية سيارة مدنية على طريق الأتارب، وقتل سائقها.",
)


# -- how each form of a name is written --------------------------------------------------


def latin_forms(p: Person) -> list[tuple[str, str]]:
    """(form, text) for every Latin way the body text names ``p``."""
    forms = [
        ("full", p.name),
        ("surname", p.surname),
        ("title", f"{p.title} {p.family}"),
        ("double space", f"{p.given}  {p.surname}"),
        ("newline", f"{p.given}\n{p.surname}"),
        ("nbsp", f"{p.given}{NBSP}{p.surname}"),
        ("upper case", p.name.upper()),
        ("hyphen", f"{p.given}-{p.family}"),
        ("variant", f"{p.given} {p.variants[0]}"),
        ("variant surname", f"{p.title} {p.variants[1]}"),
        ("lower case", p.name.lower()),
    ]
    if p.article:
        other = "el-" if p.article == "al-" else "al-"
        forms.append(("article", f"{p.given} {other}{p.family}"))
        forms.append(("no article", f"{p.given} {p.family}"))
    else:
        forms.append(("article", f"{p.given} al-{p.family}"))
    if p.title in ("Dr.", "Sheikh"):
        forms.append(("title given", f"{p.title} {p.given}"))
    if int(p.key[1:]) % 3 == 0:
        forms.append(("zero width", f"{p.given}{ZWSP} {p.family[:2]}{ZWSP}{p.family[2:]}"))
    return forms


def file_name_form(p: Person, n: int) -> tuple[str, str]:
    g, f = p.given, p.family
    return [
        ("file name", f"{g} {f} testimony.md"),
        ("file name", f"{g.lower()}_{f.lower()}-statement.md"),
        ("file name", f"{g}{f}.md"),
        ("file name", f"2023-10-{g.lower()}-{f.lower()}.md"),
    ][n % 4]


def url_form(p: Person, n: int) -> tuple[str, str]:
    g, f = p.given.lower(), p.family.lower()
    return [
        ("url", f"https://example.org/2023/10/{g}-{f}-testimony"),
        ("url", f"https://example.org/statements/{g}_{f}"),
        ("url", f"https://example.net/people/{g}{f}"),
        ("url", f"https://example.org/2023/10/{g}-{p.variants[0].lower()}-account"),
    ][n % 4]


def arabic_slug(text: str) -> str:
    return quote(text.replace(" ", "-"))


# -- the reports --------------------------------------------------------------------------


class _Writer:
    """Puts names into a report and records each as a mention."""

    def __init__(self, report: Report) -> None:
        self.report = report
        self.turn = 0

    def plain(self, p: Person, form: str, text: str) -> None:
        template = PLAIN_SENTENCES[(int(p.key[1:]) + self.turn) % len(PLAIN_SENTENCES)]
        self.turn += 1
        self.report.body.append(template.format(X=text))
        self.report.mentions.append(Mention(p.key, "body", form, text))

    def arabic(self, p: Person, text: str, form: str = "arabic") -> None:
        template = ARABIC_SENTENCES[(int(p.key[1:]) + self.turn) % len(ARABIC_SENTENCES)]
        self.turn += 1
        self.report.body.append(template.format(A=text))
        self.report.mentions.append(Mention(p.key, "body", form, text))

    def cue(self, p: Person) -> None:
        cue = CUE_WORDS[p.role]
        self.report.body.append(f"The {cue} {p.name} said the area had no military positions.")
        self.report.mentions.append(Mention(p.key, "body", "full with cue", p.name))


def _sensitivity_main(n: int) -> str:
    if n in (7, 17, 27):
        return "restricted"
    return "internal" if n % 4 == 1 else "public"


def _main_report(n: int, p: Person) -> Report:
    """The report about one person: their name in its file name, URL, title and body."""
    scene = SCENES[n % len(SCENES)]
    form, file_name = file_name_form(p, n)
    uform, url = url_form(p, n)
    title = f"Testimony of {p.name} - {scene.headline}"
    report = Report(
        file_name=file_name,
        title=title,
        source=SOURCES[n % len(SOURCES)],
        url=url,
        published=scene.day,
        language="en",
        sensitivity=_sensitivity_main(n),
        body=[scene.text],
    )
    report.mentions += [
        Mention(p.key, "file name", form, file_name[: -len(".md")]),
        Mention(p.key, "url", uform, url.rsplit("/", 1)[1]),
        Mention(p.key, "title", "full", p.name),
    ]
    writer = _Writer(report)
    if p.extracted:
        writer.cue(p)
    for form_name, text in latin_forms(p)[:6]:
        writer.plain(p, form_name, text)
    writer.arabic(p, p.arabic)
    return report


def _secondary_report(j: int) -> Report:
    """A report on one incident that names three people in their remaining forms."""
    scene = SCENES[(j * 7 + 3) % len(SCENES)]
    people = [PEOPLE[(j * 3 + k) % len(PEOPLE)] for k in range(3)]
    first = people[0]
    titled = j % 2 == 0
    title = scene.headline + (f", as seen by {first.title} {first.variants[1]}" if titled else "")
    report = Report(
        file_name=f"{scene.day}-{scene.place}-report-{j:02d}.md",
        title=title,
        source=SOURCES[(j + 1) % len(SOURCES)],
        url=f"https://example.org/reports/{scene.day}/{scene.place}-{j:02d}",
        published=scene.day,
        language="en",
        sensitivity="restricted" if j == 9 else ("internal" if j % 5 == 2 else "public"),
        body=[scene.text],
    )
    if titled:
        report.mentions.append(
            Mention(first.key, "title", "variant surname", f"{first.title} {first.variants[1]}")
        )
    writer = _Writer(report)
    for p in people:
        # the first time a person comes up here takes forms 6..8, the second the rest
        rest = latin_forms(p)[6:]
        half = (len(rest) + 1) // 2
        part = rest[:half] if j < 10 else rest[half:]
        for form_name, text in part:
            writer.plain(p, form_name, text)
        spellings = p.aliases if j < 10 else p.aliases[::-1]
        writer.arabic(p, spellings[0], "arabic" if spellings[0] == p.arabic else "arabic variant")
    return report


def _arabic_report(i: int) -> Report:
    """A report in Arabic naming two people, one of them also in its title and URL."""
    people = [PEOPLE[(i * 6 + 1) % len(PEOPLE)], PEOPLE[(i * 6 + 4) % len(PEOPLE)]]
    lead = people[0]
    day = f"2023-11-{10 + i:02d}"
    slug = arabic_slug(lead.arabic)
    named_file = i % 2 == 0
    report = Report(
        file_name=f"شهادة {lead.arabic}.md" if named_file else f"{day}-ar-{i}.md",
        title=f"شهادة {lead.arabic} عن القصف",
        source="شبكة رصد إدلب",
        url=f"https://example.org/ar/{day}/{slug}",
        published=day,
        language="ar",
        sensitivity="internal" if i == 3 else "public",
        body=[ARABIC_SCENES[i % len(ARABIC_SCENES)]],
    )
    report.mentions += [
        Mention(lead.key, "title", "arabic", lead.arabic),
        Mention(lead.key, "url", "percent-encoded arabic", slug),
    ]
    if named_file:
        report.mentions.append(Mention(lead.key, "file name", "arabic", lead.arabic))
    writer = _Writer(report)
    for p in people:
        writer.arabic(p, p.arabic)
        family = p.arabic.split(" ", 1)[1]
        writer.arabic(p, f"الدكتور {family}" if p.title == "Dr." else f"السيد {family}", "arabic")
    return report


def build_reports() -> list[Report]:
    """30 reports about one person each, 20 on incidents naming three, 5 in Arabic."""
    mains = [_main_report(n, p) for n, p in enumerate(PEOPLE, start=1)]
    secondary = [_secondary_report(j) for j in range(20)]
    return mains + secondary + [_arabic_report(i) for i in range(5)]


def write_corpus(folder: Path, reports: list[Report] | None = None) -> list[Path]:
    """Write the reports as Markdown files into ``folder``; return their paths."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for report in reports if reports is not None else build_reports():
        path = folder / report.file_name
        path.write_text(report.render(), encoding="utf-8")
        paths.append(path)
    return paths
