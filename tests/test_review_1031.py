"""Decision 1031: a year whose value rests on few roll calls is joined to its neighbours
by a dotted line, not the solid one (a new case's walk: Armenia's one roll call of
January 2020, 0.50 after 0.90 in 2019, read as a collapse of the year)."""

from __future__ import annotations

import numpy as np

from sim.observed.series import observed_table
from sim.observed.votes import load_votes
from sim.plots.observed import observed_figure
from tests.test_observed import real_votes


def test_a_year_on_few_roll_calls_is_joined_dotted() -> None:
    table = observed_table(
        load_votes(real_votes()), "Russia", ["Armenia", "Kazakhstan"], "caucasus",
        rival="United States", measure="split_agreement", years=(2016, 2020),
    )  # fmt: skip
    group = table[table["state"].str.startswith("group:")].set_index("year")
    assert group.loc[2020, "n_votes"] < 5 <= group.loc[2019, "n_votes"]  # the data's premise
    ax = observed_figure(table).axes[0]
    (mean,) = [ln for ln in ax.get_lines() if ln.get_label().endswith(", mean")]
    years = np.asarray(mean.get_xdata(), dtype=float)
    values = np.asarray(mean.get_ydata(), dtype=float)
    assert np.isfinite(values[years <= 2019]).all() and np.isnan(values[years == 2020]).all()
    # The join, in the mean's colour (a named state's own line may be dotted too).
    dotted = [
        ln
        for ln in ax.get_lines()
        if ln.get_linestyle() == ":" and ln.get_color() == mean.get_color()
    ]
    assert len(dotted) == 1
    assert list(dotted[0].get_xdata()) == [2019, 2020]
    assert list(dotted[0].get_ydata()) == [group.loc[2019, "value"], group.loc[2020, "value"]]
