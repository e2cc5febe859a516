"""Which nuance each vote row of a results file gets: one step, after the file is read.

A layout (`importers.layouts`) returns what the file says: the nuance code as written,
or nothing when the file gives none. This step decides, for each candidate or list of
the file, in this order:

1. the code the file gives, when it gives one (the publisher's word);
2. otherwise, from `blocs`' tables:
   - a présidentielle's candidate gets the code of the party that nominated them
     (`blocs.PRESIDENTIAL_CANDIDATES`, by surname, or by the file's own identifier of
     the candidate when it has one: 'le_pen_marine' in the Paris file);
   - a candidate named in the election's table by surname (`blocs.CANDIDATE_NUANCES`:
     the City of Brest's export gives names, never codes);
   - a list whose head is in the election's table (`blocs.LIST_HEADS`, by the file's
     identifier of the list: 'bardella_jordan');
3. otherwise NC (« nuance non renseignée », `blocs.UNKNOWN_NUANCE`), for an analyst to set;
4. last, the analysts' choices for this election, by candidate or list name
   (`CandidateNuance`, set in the admin), replace whatever the steps above gave.

Which bloc a code belongs to (year-dependent defaults, `blocs.default_bloc`) is decided
when the election's nuances are created (`results._nuances_ensure`), not here.
"""

import numpy as np
import pandas as pd

from circonscriptions import blocs
from circonscriptions.importers.layouts.common import Table
from circonscriptions.models import CandidateNuance, Election


def nuance_from_tables(election: Election, surname: str, slug: str) -> str:
    """The nuance `blocs`' tables give a candidate or list of `election` that the file does not label."""
    if election.kind == "presidentielle":
        if slug:
            return blocs.presidential_nuance_from_slug(election.year, slug)
        return blocs.presidential_nuance(election.year, surname)
    if surname:
        code = blocs.candidate_nuance(election.slug, surname)
        if code != blocs.UNKNOWN_NUANCE:
            return code
    if slug:
        return blocs.list_head_nuance(election.slug, slug)
    return blocs.UNKNOWN_NUANCE


def resolve(table: Table, election: Election) -> int:
    """Sets `table.votes["nuance"]` by the rules above. Returns how many vote rows took an
    analyst's choice (CandidateNuance) over what the file and the tables gave."""
    votes = table.votes
    if votes.empty:
        return 0
    written = votes["nuance"].to_numpy(object)
    missing = written == ""
    if missing.any():
        surname = votes["surname"].to_numpy(object)
        slug = votes["slug"].to_numpy(object) if "slug" in votes else np.full(len(votes), "", dtype=object)
        # Once per distinct (surname, identifier): a national file repeats a few dozen names
        # hundreds of thousands of times.
        keys = pd.DataFrame({"surname": surname[missing], "slug": slug[missing]})
        position, pairs = pd.factorize(pd.MultiIndex.from_frame(keys))
        found = np.array([nuance_from_tables(election, s, k) for s, k in pairs] + [""], dtype=object)
        resolved = written.copy()
        resolved[missing] = found[position]
        votes["nuance"] = resolved
    return _analysts_choices(table, election)


def _analysts_choices(table: Table, election: Election) -> int:
    """The nuances analysts chose by name for this election (CandidateNuance) replace the
    file's for those candidates or lists. Returns how many vote rows they changed."""
    chosen = dict(CandidateNuance.objects.filter(election=election).values_list("candidate", "code"))
    if not chosen or table.votes.empty:
        return 0
    # Names are stored cut at 200 characters (the column's size): compare them so.
    mapped = table.votes["candidate"].astype(str).str.slice(0, 200).map(chosen)
    hit = (mapped.notna() & (mapped != table.votes["nuance"])).to_numpy()
    table.votes.loc[hit, "nuance"] = mapped[hit]
    return int(hit.sum())
