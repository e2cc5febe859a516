"""The default bloc of each nuance code, and the nuance of présidentielle candidates.

The Interior Ministry labels every candidate of a législatives (and of most local
elections) with a *nuance* code. HQ analysts group the codes into five blocs: left,
centre, right, far right, other. This module is only the **default** grouping, used
when an import meets a code for the first time in an election; analysts then edit
each election's nuances in the admin, and a later import never overwrites their
choice.

The rules, in words an analyst can check:

Left (`left`)
    Every code of the parties of the left and of the alliances they formed: the
    union of the left of each year (NUP, the NUPES of 2022; UG, the Nouveau Front
    populaire of 2024), its parties when they ran on their own label (FI, SOC, COM
    and PCF, RDG for the radicaux de gauche, VEC for Les Écologistes in 2024), the
    "divers gauche" (DVG) and the far left (EXG in 2017/2024, DXG in 2022), which
    calls to vote for the left in second rounds.
    ECO ("écologistes") is put on the left too: in 2017 it covered EELV itself; in
    2022 and 2024 it covers green candidates outside the left alliance, most of
    whom come from the left, but some do not (e.g. "Écologie au centre"): check the
    ECO candidates of your territory.
Centre (`centre`)
    The presidential majority of each year (REM and MDM in 2017; ENS in 2022 and
    2024, with HOR for Horizons when it ran on its own label) and the "divers
    centre" (DVC).
Right (`right`)
    LR, the "divers droite" (DVD), and UDI, which ran in alliance with LR in 2017,
    2022 (the UDC) and 2024.
Far right (`far_right`)
    FN (2017) / RN (2022, 2024), Reconquête (REC), the LR candidates allied with
    the RN in 2024 (UXD), the far right (EXD, DXD) and the "droite souverainiste"
    (DLF in 2017, DSV in 2022/2024: Debout la France and similar lists). DLF/DSV
    follow the usual "national-populist bloc" grouping (its leader allied with the
    FN in the 2017 second round); move them to `right` if you read them otherwise.
Other (`other`)
    DIV ("divers": candidates the ministry could not place), REG (regionalists, who
    span left and right; in Brittany mostly left: check locally), and any code this
    table does not know.

The table covers the codes of the législatives of 2017, 2022 and 2024. Municipal
lists carry the same codes with an L in front (LFI, LVEC, LRN, LDVD…): they get the
bloc of the code without it; LUG, LUD and LUC (union of the left, of the right, of the
centre) are in the table. A code the table does not know gets `other` (never a
refusal): new codes appear at every election and the analyst sets them in the admin.
"""

import unicodedata

from circonscriptions.models import Bloc

# Nuance code → (bloc, label). One table for the three years: a code means the same
# thing wherever it appears in them (FI in 2017 and 2024, ECO, DVG…).
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
    "ECO": (Bloc.LEFT, "Écologistes"),
    "DVG": (Bloc.LEFT, "Divers gauche"),
    "NUP": (Bloc.LEFT, "Nouvelle union populaire écologique et sociale"),
    "UG": (Bloc.LEFT, "Union de la gauche"),
    # centre
    "REM": (Bloc.CENTRE, "La République en marche"),
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
    # municipal list unions
    "LUG": (Bloc.LEFT, "Liste d'union de la gauche"),
    "LUC": (Bloc.CENTRE, "Liste d'union du centre"),
    "LUD": (Bloc.RIGHT, "Liste d'union de la droite"),
}

# The codes the ministry used at each législatives: a file whose codes belong to
# another year only is not of the election named (e.g. UG in a 2022 file).
LEGISLATIVES_CODES: dict[int, frozenset[str]] = {
    2017: frozenset("EXG COM FI SOC RDG DVG ECO DIV REG REM MDM UDI LR DVD DLF FN EXD".split()),
    2022: frozenset("DXG EXG RDG NUP DVG ECO DIV REG ENS DVC HOR UDI LR DVD DSV REC RN DXD EXD".split()),
    2024: frozenset("EXG COM FI SOC RDG VEC DVG UG ECO REG DIV ENS DVC HOR UDI LR DVD DSV REC RN UXD EXD".split()),
}

UNKNOWN_NUANCE = "DIV"

# Présidentielles have no nuance in the ministry's files: each candidate is given the
# code of the party that nominated them (the code its législatives candidates had that
# year). A name the table does not know gets DIV and keeps its name (never a refusal).
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
        "JADOT": "ECO",  # EELV
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
# ABASQ, LE BIAN, GOVERNATORI, LE MOIGN, DUPRAT, MULLER, GUEGUEN in circo 3) get DIV:
# the shared data holds no official 2022 list of their nuances, and guessing would be
# worse than an explicit DIV that an analyst corrects in the admin. (Hint for that
# analyst: COLLARD and HITA are labelled EXG by the ministry in the 2024 file.)
CANDIDATE_NUANCES: dict[str, dict[str, str]] = {
    "legislatives-2022-1": {"CADALEN": "NUP", "LARSONNEUR": "ENS", "SMOLARZ": "NUP", "LE GAC": "ENS"},
}


# Lists of européennes and régionales named by their head (the City of Paris file gives
# no nuance for them): the main lists get the code of the party that led them, as the
# lists declared themselves; any other list gets DIV and keeps its name.
LIST_HEADS: dict[str, dict[str, str]] = {
    "europeennes-2019-1": {
        "BARDELLA": "RN",
        "LOISEAU": "REM",
        "JADOT": "ECO",  # EELV
        "BELLAMY": "LR",
        "AUBRY": "FI",
        "GLUCKSMANN": "SOC",  # PS-Place publique
        "HAMON": "DVG",  # Génération.s
        "BROSSAT": "COM",
        "LAGARDE": "UDI",
        "DUPONT AIGNAN": "DLF",
        "ARTHAUD": "EXG",
    },
    "europeennes-2024-1": {
        "BARDELLA": "RN",
        "HAYER": "ENS",
        "GLUCKSMANN": "SOC",  # PS-Place publique
        "AUBRY": "FI",
        "BELLAMY": "LR",
        "TOUSSAINT": "VEC",  # Les Écologistes
        "MARECHAL": "REC",
        "DEFFONTAINES": "COM",
        "ARTHAUD": "EXG",
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
    """'bardella_jordan' in the européennes 2024 → RN (see LIST_HEADS)."""
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


def _entry(code: str) -> tuple[str, str]:
    if code in NUANCES:
        return NUANCES[code]
    if code.startswith("L") and code[1:] in NUANCES:  # a municipal list: 'LVEC' is a VEC list
        bloc, label = NUANCES[code[1:]]
        return bloc, f"Liste {label}"
    return Bloc.OTHER, ""


def default_bloc(code: str) -> str:
    return _entry(code)[0]


def default_label(code: str) -> str:
    return _entry(code)[1]


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
