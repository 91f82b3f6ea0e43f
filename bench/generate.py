"""Synthetic articles in qabot's plain-text format, deterministic for a given seed.

Each article is "A–B relations": a title, an infobox with Envoy/Envoytitle pairs and missions,
a lead, sections two and three levels deep with paragraphs holding dates, amounts and names
drawn from word lists, and a visits table `| Guest | Host | Place of visit | Date of visit |
Notes |`. Every article also yields questions with the phrase a right answer must contain.

    python -m bench.generate 20 out_dir/      # writes 20 .txt files (seed 0)
"""

from __future__ import annotations

import random
import sys
from dataclasses import dataclass, field
from pathlib import Path

# (country, adjective, capital, another city)
REAL = [
    ("Argentina", "Argentine", "Buenos Aires", "Córdoba"),
    ("Australia", "Australian", "Canberra", "Sydney"),
    ("Austria", "Austrian", "Vienna", "Graz"),
    ("Brazil", "Brazilian", "Brasília", "São Paulo"),
    ("Canada", "Canadian", "Ottawa", "Toronto"),
    ("Chile", "Chilean", "Santiago", "Valparaíso"),
    ("China", "Chinese", "Beijing", "Shanghai"),
    ("Egypt", "Egyptian", "Cairo", "Alexandria"),
    ("Finland", "Finnish", "Helsinki", "Tampere"),
    ("Germany", "German", "Berlin", "Hamburg"),
    ("Ghana", "Ghanaian", "Accra", "Kumasi"),
    ("Greece", "Greek", "Athens", "Thessaloniki"),
    ("Hungary", "Hungarian", "Budapest", "Debrecen"),
    ("India", "Indian", "New Delhi", "Mumbai"),
    ("Indonesia", "Indonesian", "Jakarta", "Surabaya"),
    ("Italy", "Italian", "Rome", "Milan"),
    ("Kenya", "Kenyan", "Nairobi", "Mombasa"),
    ("Mexico", "Mexican", "Mexico City", "Guadalajara"),
    ("Morocco", "Moroccan", "Rabat", "Casablanca"),
    ("Nigeria", "Nigerian", "Abuja", "Lagos"),
    ("Norway", "Norwegian", "Oslo", "Bergen"),
    ("Peru", "Peruvian", "Lima", "Cusco"),
    ("Poland", "Polish", "Warsaw", "Kraków"),
    ("Portugal", "Portuguese", "Lisbon", "Porto"),
    ("Senegal", "Senegalese", "Dakar", "Saint-Louis"),
    ("Spain", "Spanish", "Madrid", "Barcelona"),
    ("Sweden", "Swedish", "Stockholm", "Gothenburg"),
    ("Tunisia", "Tunisian", "Tunis", "Sfax"),
    ("Turkey", "Turkish", "Ankara", "Istanbul"),
    ("Vietnam", "Vietnamese", "Hanoi", "Da Nang"),
]
SYLLABLES = (
    "al bar cor dan el fen gal har is jor kal lor mar nor or pel quin ros sal tor ul var "
    "wen xan yor zel bra dra gri kro lun mib nes pra shu tav vol"
).split()
FIRST = (
    "Adrian Beatriz Carlos Dmitri Elena Farid Greta Hiroshi Ingrid Jamal Katarina Luis "
    "Mariam Nikolai Olga Pedro Quentin Rania Sergei Tomas Ursula Viktor Wanda Xavier Yusuf "
    "Zofia Amara Bruno Chiara Dario Emil Fatima Goran Hana Ivan Jana Kofi Lina Marek Nadia"
).split()
LAST = (
    "Abara Benali Castellano Dragomir Eriksen Fontaine Gavrilov Haddad Ibarra Jankovic "
    "Kowalski Lindqvist Mbeki Novak Okafor Petrov Quiroga Rahimi Santos Tanaka Uribe Varga "
    "Wojcik Xenakis Yilmaz Zelenko Almeida Brandt Cardoso Duarte Esposito Ferreira Galindo "
    "Horvat Ivanova Jensen Keller Lombardi Moreau Nakamura Orlov Pereira Rossi Silva Toure"
).split()
TITLES = ("President", "Prime Minister", "Foreign Minister", "King", "Chancellor", "Premier")
MONTHS = (
    "January February March April May June July August September October November December"
).split()
GOODS = (
    "wheat",
    "natural gas",
    "steel",
    "machinery",
    "fertiliser",
    "medicines",
    "timber",
    "copper",
    "rice",
    "vehicles",
    "textiles",
    "coffee",
)
PROJECTS = (
    "a hydroelectric dam",
    "a steel plant",
    "a railway line",
    "a deep-water port",
    "a university campus",
    "a cement works",
    "a gas pipeline",
    "a national library",
)
CURRENCIES = ("dollars", "euros", "rubles", "francs", "pounds")
TREATY = (
    "Friendship",
    "Trade",
    "Navigation",
    "Cultural Cooperation",
    "Air Transport",
    "Fisheries",
    "Double Taxation",
    "Scientific Exchange",
)
FILLER = (
    "Relations were described by both governments as cordial and pragmatic.",
    "Observers noted that the two sides preferred quiet diplomacy to public declarations.",
    "Academic exchanges grew steadily, with several hundred students studying abroad each year.",
    "Trade fairs and cultural weeks were held in both capitals during this period.",
    "Both countries took part in regional forums and generally voted alike at the United Nations.",
)


@dataclass
class Country:
    name: str
    adjective: str
    capital: str
    city: str


@dataclass
class Generated:
    title: str
    text: str
    questions: list[tuple[str, str]] = field(default_factory=list)  # (question, phrase)


def _fictional(rng: random.Random, count: int) -> list[Country]:
    names: set[str] = set()
    out = []
    while len(out) < count:
        name = "".join(rng.choice(SYLLABLES) for _ in range(rng.choice((2, 3)))).capitalize()
        if name in names or len(name) < 5:
            continue
        names.add(name)
        capital = "".join(rng.choice(SYLLABLES) for _ in range(2)).capitalize() + "grad"
        city = "Port " + "".join(rng.choice(SYLLABLES) for _ in range(2)).capitalize()
        out.append(Country(name, name + "ian", capital, city))
    return out


def countries(seed: int = 0) -> list[Country]:
    rng = random.Random(f"countries-{seed}")
    return [Country(*c) for c in REAL] + _fictional(rng, 170)


def _person(rng: random.Random, used: set[str]) -> str:
    for _ in range(50):
        name = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
        if name not in used:
            used.add(name)
            return name
    return f"{rng.choice(FIRST)} {rng.choice(LAST)}-{rng.choice(LAST)}"


def _date(rng: random.Random, year: int) -> str:
    return f"{rng.randint(1, 28)} {rng.choice(MONTHS)} {year}"


def article(rng: random.Random, a: Country, b: Country) -> Generated:
    """One article about the relations of `a` and `b`, with questions about it."""
    used: set[str] = set()
    title = f"{a.name}–{b.name} relations"
    envoy_a, envoy_b = _person(rng, used), _person(rng, used)
    questions = [
        (f"Who is the {a.adjective} ambassador to {b.name}?", envoy_a),
        (f"Who is {b.name}'s ambassador to {a.name}?", envoy_b),
    ]
    lines = [
        f"= {title} =",
        "",
        "Infobox",
        "- Filetype: svg",
        f"- Envoy1: {envoy_a}",
        f"- Envoytitle1: {a.adjective} Ambassador to {b.name}",
        f"- Envoy2: {envoy_b}",
        f"- Envoytitle2: {b.adjective} Ambassador to {a.name}",
        f"- Mission1: Embassy of {b.name} in {a.capital}, {a.name}",
        f"- Mission2: Embassy of {a.name} in {b.capital}, {b.name}",
        "",
        f"{a.name} has an embassy in {b.capital} and a consulate in {b.city}, and {b.name} has "
        f"an embassy in {a.capital}. {rng.choice(FILLER)}",
        "",
    ]
    start = rng.randint(1900, 1960)
    year = start
    lines += ["==History==", ""]
    treaties = iter(rng.sample(TREATY, 6))
    for era in ("Early contacts", "Cold War", "Recent years"):
        lines += [f"=== {era} ===", ""]
        for sub in range(rng.randint(1, 2)):
            year += rng.randint(3, 12)
            if sub or rng.random() < 0.5:
                lines += [f"==== {year // 10 * 10}s ====", ""]
            date = _date(rng, year)
            treaty = f"Treaty of {next(treaties)}"
            signer = _person(rng, used)
            amount = f"{rng.randint(2, 950)} million {rng.choice(CURRENCIES)}"
            project = rng.choice(PROJECTS)
            lines.append(
                f"On {date}, {a.name} and {b.name} signed the {treaty} in {a.capital}. "
                f"The {a.adjective} side was represented by {signer}. "
                f"In {year + 1}, {a.name} granted {b.name} a loan of {amount} to build "
                f"{project} in {b.city}. {rng.choice(FILLER)}"
            )
            lines.append("")
            questions += [
                (f"When did {a.name} and {b.name} sign the {treaty}?", date),
                (f"How large was the loan {a.name} granted {b.name} in {year + 1}?", amount),
            ]
    year += rng.randint(2, 8)
    goods = rng.sample(GOODS, 3)
    exports = f"{rng.randint(1, 40)}.{rng.randint(1, 9)} billion dollars"
    lines += [
        "== Economic relations ==",
        "",
        f"In {year}, trade between the two countries reached {exports}. {a.name} mainly "
        f"exports {goods[0]} and {goods[1]}, while {b.name} sells {goods[2]}. "
        f"{rng.choice(FILLER)}",
        "",
        "== High level visits ==",
        "",
        "| Guest | Host | Place of visit | Date of visit | Notes |",
    ]
    questions.append(
        (f"How much trade was there between {a.name} and {b.name} in {year}?", exports)
    )
    visit_year = start + rng.randint(5, 20)
    for _ in range(rng.randint(3, 6)):
        visit_year += rng.randint(1, 9)
        guest, host = _person(rng, used), _person(rng, used)
        outward = rng.random() < 0.5
        place = b.capital if outward else a.capital
        date = _date(rng, visit_year)
        lines.append(
            f"| {rng.choice(TITLES)} {guest} | {rng.choice(TITLES)} {host} | {place} | {date} | |"
        )
        questions.append((f"When did {guest.split()[-1]} visit {place}?", date))
    lines.append("")
    return Generated(title, "\n".join(lines), questions)


def corpus(count: int, seed: int = 0) -> list[Generated]:
    """`count` articles with distinct titles, the same for the same seed."""
    pool = countries(seed)
    rng = random.Random(f"corpus-{seed}")
    seen: set[tuple[int, int]] = set()
    out = []
    while len(out) < count:
        i, j = rng.randrange(len(pool)), rng.randrange(len(pool))
        if i == j or (i, j) in seen or (j, i) in seen:
            continue
        seen.add((i, j))
        out.append(article(random.Random(f"{seed}-{len(out)}"), pool[i], pool[j]))
    return out


def main(argv: list[str]) -> int:
    count, where = int(argv[0]), Path(argv[1])
    where.mkdir(parents=True, exist_ok=True)
    for index, item in enumerate(corpus(count)):
        (where / f"synthetic-{index:05d}.txt").write_text(item.text + "\n", "utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
