"""The default bloc of each nuance code, and the nuance of candidates and lists the files do not label.

The Interior Ministry labels every candidate of a législatives (and every list of the
européennes, régionales and municipales) with a *nuance* code. HQ analysts group the
codes into five blocs: left, centre, right, far right, other. This module is only the
**default** grouping, used when an import meets a code for the first time in an
election; analysts then edit each election's nuances in the admin (Nuances), or set
the nuance of one candidate or list by name (Élections → « Nuances des candidats et
listes »), and a later import never overwrites their choice.

The rules, in words an analyst can check:

Left (`left`)
    Every code of the parties of the left and of the alliances they formed: the
    union of the left of each year (NUP, the NUPES of 2022; UG, the Nouveau Front
    populaire of 2024), its parties when they ran on their own label (FI, SOC, COM
    and PCF, RDG for the radicaux de gauche, VEC for Les Écologistes in 2024), the
    "divers gauche" (DVG) and the far left (EXG in 2017/2024, DXG in 2022), which
    calls to vote for the left in second rounds.
ECO ("écologistes") depends on the year of the election
    - before 2022 (législatives 2017, européennes 2019, régionales 2021): ECO (LECO
      for a list) covered EELV itself (Yannick Jadot's list in 2019, Julien Bayou's
      in Île-de-France in 2021) → `left`;
    - from 2022: EELV ran inside the union of the left (NUP in 2022, UG in 2024) or
      under its own code (VEC, LVEC), and ECO covers the green candidates *outside*
      the left alliance: Parti animaliste, Écologie au centre, Équinoxe, Écologie
      positive… who call to vote for no bloc and some of whom stand with the centre
      → `other` by default. Check the ECO candidates of your territory and set the
      left-leaning ones to `left` in the admin.
    When the year is unknown, the latest meaning applies (`other`).
Centre (`centre`)
    The presidential majority of each year (REM and MDM in 2017; ENS in 2022 and
    2024, REN for Renaissance when the 2024 grid names it apart from Ensemble, HOR for
    Horizons when it ran on its own label) and the "divers centre" (DVC).
Right (`right`)
    LR, the "divers droite" (DVD), and UDI, which ran in alliance with LR in 2017,
    2022 (the UDC) and 2024.
Far right (`far_right`)
    FN (2017) / RN (2022, 2024), Reconquête (REC), the LR candidates allied with
    the RN in 2024 (UXD), the far right (EXD, DXD) and the "droite souverainiste"
    (DLF in 2017, DSV in 2022/2024: Debout la France, Les Patriotes of Florian
    Philippot and similar lists; QG's table of list heads also files the UPR list
    of François Asselineau under DSV). DLF/DSV follow the usual "national-populist bloc" grouping (its
    leader allied with the FN in the 2017 second round); the UPR calls itself
    "neither left nor right", but its programme (leaving the EU, NATO and the euro)
    and its voters' second-round choices put it with the sovereignist right: move it
    to `other` in the admin if you read it otherwise.
Other (`other`)
    DIV ("divers": candidates the ministry could not place), GJ (gilets jaunes lists
    of 2019), REG (regionalists), NC and any code this table does not know.
Regionalists (REG, LREG)
    They span left and right: in Brittany the Union démocratique bretonne (UDB) sits
    with the left, in Corsica Femu a Corsica is autonomist centre-left, Corsica
    Libera and Core in Fronte are nationalist, in Alsace Unser Land is regionalist
    right. The ministry gives them all REG, so REG stays `other` by default; the
    table `REGIONALIST_MOVEMENTS` below records where the main movements stand, for
    the analyst who sets a REG candidate's or list's nuance by name in the admin
    (e.g. an UDB candidate → DVG).
NC ("nuance non renseignée")
    Not a ministry code: QG's marker for a candidate or list whose nuance QG does not
    know — city exports that give none (Brest, Paris, Toulouse), présidentielle
    candidates missing from `PRESIDENTIAL_CANDIDATES`, list heads missing from
    `LIST_HEADS`, an empty nuance cell. Bloc `other`. Unlike DIV (the ministry's own
    label, a real answer), NC means "unknown": the profiles count NC votes (and votes
    with no nuance at all) as *unlabelled*, and leave an election out of a bureau
    when they exceed the data-quality threshold (10 % of the expressed votes by
    default) until an analyst labels the candidates.

Codes of lists (européennes, régionales, municipales) carry an L in front of the
candidate code: LFI is a La France insoumise list, LVEC a Les Écologistes list, and
so on; a list code gets the bloc of the code without its L (LECO follows ECO's rule
by year) unless `NUANCES` names it. The européennes grid of the ministry is in
`EUROPEENNES_CODES` (2019 and 2024); LUG, LUD and LUC (union of the left, of the
right, of the centre) are in the table. A code the table does not know gets `other`
(never a refusal): new codes appear at every election and the analyst sets them in
the admin.
"""

import unicodedata

from circonscriptions.models import Bloc

UNKNOWN_NUANCE = "NC"

# Nuance code → (bloc, label). One table for every year, except the codes of
# `NUANCES_BY_YEAR`, whose meaning changed (ECO): a code means the same thing wherever
# it appears (FI in 2017 and 2024, DVG…).
NUANCES: dict[str, tuple[str, str]] = {
    # left
    "EXG": (Bloc.LEFT, "Extrême gauche"),
    "DXG": (Bloc.LEFT, "Divers extrême gauche"),
    "COM": (Bloc.LEFT, "Parti communiste français"),
    "PCF": (Bloc.LEFT, "Parti communiste français"),
    "FI": (Bloc.LEFT, "La France insoumise"),
    "SOC": (Bloc.LEFT, "Parti socialiste"),
    "RDG": (Bloc.LEFT, "Radicaux de gauche"),
    "VEC": (Bloc.LEFT, "Les Écologistes"),
    "DVG": (Bloc.LEFT, "Divers gauche"),
    "NUP": (Bloc.LEFT, "Nouvelle union populaire écologique et sociale"),
    "UG": (Bloc.LEFT, "Union de la gauche"),
    # centre
    "REM": (Bloc.CENTRE, "La République en marche"),
    "REN": (Bloc.CENTRE, "Renaissance"),
    "MDM": (Bloc.CENTRE, "MoDem"),
    "ENS": (Bloc.CENTRE, "Ensemble"),
    "HOR": (Bloc.CENTRE, "Horizons"),
    "DVC": (Bloc.CENTRE, "Divers centre"),
    # right
    "UDI": (Bloc.RIGHT, "Union des démocrates et indépendants"),
    "LR": (Bloc.RIGHT, "Les Républicains"),
    "DVD": (Bloc.RIGHT, "Divers droite"),
    # far right
    "DLF": (Bloc.FAR_RIGHT, "Debout la France"),
    "DSV": (Bloc.FAR_RIGHT, "Droite souverainiste"),
    "FN": (Bloc.FAR_RIGHT, "Front national"),
    "RN": (Bloc.FAR_RIGHT, "Rassemblement national"),
    "REC": (Bloc.FAR_RIGHT, "Reconquête !"),
    "UXD": (Bloc.FAR_RIGHT, "Union de l'extrême droite"),
    "EXD": (Bloc.FAR_RIGHT, "Extrême droite"),
    "DXD": (Bloc.FAR_RIGHT, "Divers extrême droite"),
    # other
    "REG": (Bloc.OTHER, "Régionalistes"),
    "DIV": (Bloc.OTHER, "Divers"),
    "GJ": (Bloc.OTHER, "Gilets jaunes"),
    UNKNOWN_NUANCE: (Bloc.OTHER, "Nuance non renseignée"),
    # lists: unions, and list codes whose label is not « Liste » + the candidate code's
    "LUG": (Bloc.LEFT, "Liste d'union de la gauche"),
    "LUC": (Bloc.CENTRE, "Liste d'union du centre"),
    "LUD": (Bloc.RIGHT, "Liste d'union de la droite"),
    "LENS": (Bloc.CENTRE, "Liste Ensemble (majorité présidentielle)"),
    "LREN": (Bloc.CENTRE, "Liste Renaissance"),
    "LDIV": (Bloc.OTHER, "Liste divers"),
    "LREG": (Bloc.OTHER, "Liste régionaliste"),
}

# Codes whose bloc depends on the election's year: code → ((first year, bloc, label), …)
# in increasing years; a year before the first entry takes the code's `NUANCES` entry.
NUANCES_BY_YEAR: dict[str, tuple[tuple[int, str, str], ...]] = {
    "ECO": (
        (0, Bloc.LEFT, "Écologistes (EELV)"),
        (2022, Bloc.OTHER, "Écologistes hors union de la gauche"),
    ),
}

# The codes the ministry used at each législatives: a file whose codes belong to
# another year only is not of the election named (e.g. UG in a 2022 file).
LEGISLATIVES_CODES: dict[int, frozenset[str]] = {
    2017: frozenset("EXG COM FI SOC RDG DVG ECO DIV REG REM MDM UDI LR DVD DLF FN EXD".split()),
    2022: frozenset("DXG EXG RDG NUP DVG ECO DIV REG ENS DVC HOR UDI LR DVD DSV REC RN DXD EXD".split()),
    2024: frozenset("EXG COM FI SOC RDG VEC DVG UG ECO REG DIV ENS REN DVC HOR UDI LR DVD DSV REC RN UXD EXD".split()),
}

# The ministry's list grid of the européennes ("Nuance liste N" in its files by bureau).
# 2019: EELV was LECO, the majority LREM, Debout la France LDLF, the gilets jaunes LGJ;
# 2024: Les Écologistes LVEC, the majority LENS (LREN, LMDM, LHOR for its parties when
# named apart), Reconquête LREC, the sovereignist right LDSV. Codes present in both
# grids (LFI, LRN, LLR…) do not tell the year; one code of the other grid does.
EUROPEENNES_CODES: dict[int, frozenset[str]] = {
    2019: frozenset(
        "LEXG LCOM LFI LSOC LRDG LDVG LECO LDIV LREG LGJ LREM LMDM LDVC LUDI LLR LDVD LDLF LRN LEXD".split()
    ),
    2024: frozenset(
        "LEXG LCOM LFI LSOC LUG LRDG LVEC LDVG LECO LDIV LREG LENS LREN LMDM LHOR LDVC LUDI LLR LDVD LDSV LDLF "
        "LRN LREC LEXD".split()
    ),
}
# Every code of a list grid (européennes, and the union codes of régionales and municipales).
LIST_CODES: frozenset[str] = frozenset().union(*EUROPEENNES_CODES.values(), {"LUC", "LUD", "LUG"})
# Every code of the candidates' grid (législatives).
CANDIDATE_CODES: frozenset[str] = frozenset().union(*LEGISLATIVES_CODES.values())

# Main regionalist movements, for the analyst who labels REG candidates and lists by
# name (the ministry gives them all REG): movement → the nuance that matches its usual
# alliances. Not applied automatically: a REG candidate's movement is not in the files.
REGIONALIST_MOVEMENTS: dict[str, tuple[str, str]] = {
    "Union démocratique bretonne (UDB)": ("DVG", "Bretagne: allied with the left (PS, EELV) in regional councils"),
    "Femu a Corsica": ("REG", "Corse: autonomist, governs the Collectivité de Corse; centre-left on most issues"),
    "Corsica Libera": ("REG", "Corse: independentist; neither bloc"),
    "Core in Fronte": ("REG", "Corse: independentist; neither bloc"),
    "Unser Land": ("DVD", "Alsace: regionalist right"),
    "Régions et peuples solidaires (R&PS)": ("REG", "federation of the above; ran with EELV in 2019 and 2024"),
}

# Présidentielles have no nuance in the ministry's files: each candidate is given the
# code of the party that nominated them (the code its législatives candidates had that
# year). A name the table does not know gets NC and keeps its name (never a refusal).
PRESIDENTIAL_CANDIDATES: dict[int, dict[str, str]] = {
    2017: {
        "ARTHAUD": "EXG",  # Lutte ouvrière
        "POUTOU": "EXG",  # NPA
        "MELENCHON": "FI",
        "HAMON": "SOC",
        "MACRON": "REM",
        "FILLON": "LR",
        "DUPONT-AIGNAN": "DLF",
        "LE PEN": "FN",
        "LASSALLE": "DIV",  # Résistons !, no législatives label
        "ASSELINEAU": "DIV",  # UPR, labelled DIV in the 2017 législatives
        "CHEMINADE": "DIV",  # Solidarité et progrès
    },
    2022: {
        "ARTHAUD": "EXG",  # Lutte ouvrière (DXG in the 2022 législatives)
        "POUTOU": "EXG",  # NPA
        "ROUSSEL": "COM",
        "MELENCHON": "FI",
        "HIDALGO": "SOC",
        # EELV's candidate in April 2022, before EELV joined the NUPES: his votes are EELV's,
        # which ECO no longer means in 2022; VEC (EELV under its own label) is the left.
        "JADOT": "VEC",
        "MACRON": "ENS",
        "PECRESSE": "LR",
        "LASSALLE": "DIV",
        "DUPONT-AIGNAN": "DSV",
        "LE PEN": "RN",
        "ZEMMOUR": "REC",
    },
}

# City exports name the candidates but give no nuance: a per-election table by surname.
# législatives 2022, 1st round, Brest (Finistère circonscriptions 2 and 3): the four
# leading candidates are labelled from the Interior Ministry's published results
# (CADALEN and SMOLARZ for the NUPES, NUP; LARSONNEUR and LE GAC for Ensemble, ENS).
# The other candidates of those files (COATANEA, SALAMI, POULLAOUEC, GELEBART, CABON,
# LOUVEL, PELLICANO, LE CORRE, COLLARD, HEBERT, MADEC, MIGEREL, HITA, VASSEUR in circo 2;
# ABASQ, LE BIAN, GOVERNATORI, LE MOIGN, DUPRAT, MULLER, GUEGUEN in circo 3) get NC:
# the shared data holds no official 2022 list of their nuances, and guessing would be
# worse than an explicit NC that an analyst sets by name in the admin. (Hint for that
# analyst: COLLARD and HITA are labelled EXG by the ministry in the 2024 file.)
CANDIDATE_NUANCES: dict[str, dict[str, str]] = {
    "legislatives-2022-1": {"CADALEN": "NUP", "LARSONNEUR": "ENS", "SMOLARZ": "NUP", "LE GAC": "ENS"},
}


# Lists of européennes and régionales named by their head (the City of Paris file gives
# no nuance for them): each list gets the code of the party that led it, as the lists
# declared themselves, in the grid of the election (L-prefixed codes for the européennes,
# as in the ministry's files by bureau, so that both sources of one election agree); any
# other list gets NC and keeps its name. The lists of the européennes below cover 99.6 %
# (2019) and 99.4 % (2024) of the votes cast in Paris; the rest (lists under 0.3 % each)
# stays NC for the analyst.
LIST_HEADS: dict[str, dict[str, str]] = {
    "europeennes-2019-1": {
        "LOISEAU": "LREM",  # Renaissance (LREM-MoDem)
        "JADOT": "LECO",  # EELV
        "BELLAMY": "LLR",
        "GLUCKSMANN": "LSOC",  # PS-Place publique
        "BARDELLA": "LRN",
        "AUBRY": "LFI",
        "HAMON": "LDVG",  # Génération.s
        "BROSSAT": "LCOM",
        "LAGARDE": "LUDI",
        "BOURG": "LECO",  # Urgence écologie
        # Parti animaliste: neither bloc. Not LECO, which in 2019 still means EELV (left).
        "THOUY": "LDIV",
        "DUPONT AIGNAN": "LDLF",
        "ASSELINEAU": "LDSV",  # UPR: see the module docstring (far right bloc)
        "MARIE": "LDIV",  # Florie Marie, Parti pirate
        "ARTHAUD": "LEXG",  # Lutte ouvrière
        "PHILIPPOT": "LDSV",  # Les Patriotes
        "LALANNE": "LGJ",  # Alliance jaune (gilets jaunes)
    },
    "europeennes-2024-1": {
        "GLUCKSMANN": "LSOC",  # Réveiller l'Europe (PS-Place publique)
        "HAYER": "LENS",  # Besoin d'Europe (Renaissance, MoDem, Horizons)
        "AUBRY": "LFI",
        "TOUSSAINT": "LVEC",  # Europe Écologie (Les Écologistes)
        "BELLAMY": "LLR",
        "BARDELLA": "LRN",
        "MARECHAL": "LREC",  # La France fière (Reconquête)
        "DEFFONTAINES": "LCOM",  # Gauche unie pour le monde du travail (PCF)
        "THOUY": "LECO",  # Parti animaliste
        "ASSELINEAU": "LDSV",  # UPR (« Frexit »): see the module docstring (far right bloc)
        "GOVERNATORI": "LECO",  # Écologie au centre
        "PHILIPPOT": "LDSV",  # Les Patriotes
        "CHOLLEY": "LECO",  # Équinoxe : écologie pratique et renouveau démocratique
        "LASSALLE": "LDIV",  # Alliance rurale
        "ZORN": "LDIV",  # Parti pirate
        "WEHRLING": "LECO",  # Écologie positive et territoires
        "ARTHAUD": "LEXG",  # Lutte ouvrière
        "LACROIX": "LRDG",  # Parti radical de gauche
        "LABIB": "LEXG",  # NPA-Révolutionnaires
        "LARROUTUROU": "LDVG",  # Changer l'Europe (Nouvelle Donne)
    },
    "regionales-2021-1": {  # Île-de-France
        "PECRESSE": "LR",
        "BARDELLA": "RN",
        "SAINT MARTIN": "REM",
        "BAYOU": "ECO",  # EELV
        "PULVAR": "SOC",
        "AUTAIN": "FI",
        "ARTHAUD": "EXG",
    },
    "regionales-2021-2": {"PECRESSE": "LR", "BARDELLA": "RN", "SAINT MARTIN": "REM", "BAYOU": "LUG"},
}


def list_head_nuance(election_slug: str, slug: str) -> str:
    """'bardella_jordan' in the européennes 2024 → LRN (see LIST_HEADS)."""
    words = f" {name_key(slug.replace('_', ' ').replace('-', ' '))} "
    for head, code in LIST_HEADS.get(election_slug, {}).items():
        if f" {head} " in words:
            return code
    return UNKNOWN_NUANCE


def name_key(name: str) -> str:
    """'Mélenchon' → 'MELENCHON': accents, case and spaces do not distinguish candidates."""
    decomposed = unicodedata.normalize("NFKD", str(name))
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(bare.upper().split())


def _entry(code: str, year: int | None) -> tuple[str, str]:
    if code in NUANCES_BY_YEAR:
        steps = NUANCES_BY_YEAR[code]
        chosen = steps[-1] if year is None else next(s for s in reversed(steps) if s[0] <= year)
        return chosen[1], chosen[2]
    if code in NUANCES:
        return NUANCES[code]
    if code.startswith("L") and len(code) > 2:  # a list: 'LVEC' is a VEC list, 'LECO' follows ECO's year rule
        base = code[1:]
        if base in NUANCES or base in NUANCES_BY_YEAR:
            bloc, label = _entry(base, year)
            return bloc, f"Liste {label}"
    return Bloc.OTHER, ""


def default_bloc(code: str, year: int | None = None) -> str:
    """The bloc a code gets when an import first meets it in an election of `year`
    (None: year unknown, the code's latest meaning)."""
    return _entry(code, year)[0]


def default_label(code: str, year: int | None = None) -> str:
    return _entry(code, year)[1]


def presidential_nuance(year: int, surname: str) -> str:
    return PRESIDENTIAL_CANDIDATES.get(year, {}).get(name_key(surname), UNKNOWN_NUANCE)


def presidential_nuance_from_slug(year: int, slug: str) -> str:
    """'le_pen_marine', 'marine_le_pen', 'dupont_aignan_nicolas' → the nuance of that candidate."""
    words = f" {name_key(slug.replace('_', ' '))} "
    table = PRESIDENTIAL_CANDIDATES.get(year, {})
    for surname, code in table.items():
        if f" {surname.replace('-', ' ')} " in words:
            return code
    return UNKNOWN_NUANCE


def presidential_years_of(surnames: list[str]) -> set[int]:
    """The présidentielle years whose candidate list contains every known surname given."""
    keys = {name_key(s) for s in surnames}
    return {year for year, table in PRESIDENTIAL_CANDIDATES.items() if keys <= set(table)}


def candidate_nuance(election_slug: str, surname: str) -> str:
    return CANDIDATE_NUANCES.get(election_slug, {}).get(name_key(surname), UNKNOWN_NUANCE)


def list_grid_years(codes: set[str]) -> set[int] | None:
    """The européennes years whose list grid holds every list code given (None: no list code)."""
    known = codes & LIST_CODES
    if not known:
        return None
    return {year for year, grid in EUROPEENNES_CODES.items() if known <= grid}


def grid_of(codes: set[str]) -> str | None:
    """'listes' when the codes are those of a list grid (LFI, LRN…), 'candidats' when they
    are those of the législatives candidates (FI, RN…), None when they do not say."""
    lists, candidates = len(codes & LIST_CODES), len(codes & CANDIDATE_CODES)
    if lists > candidates:
        return "listes"
    if candidates > lists:
        return "candidats"
    return None
