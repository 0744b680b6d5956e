"""The small stratified cluster sample that the statistics tests share with R.

61 pupils in 12 schools in 3 strata, with weights, an fpc and missing answers. The
tests' R scripts (in their docstrings) read exactly these rows, written with
``example().to_csv("ex.csv", index=False, na_rep="NA")``, and rake to ``MARGINS``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def example() -> pd.DataFrame:
    """61 pupils in 12 schools in 3 strata, with missing answers (the rows R used)."""
    sizes = [4, 5, 6, 6, 6, 6, 6, 6, 5, 5, 3, 3]
    school = np.repeat(np.arange(1, 13), sizes)
    i = np.arange(school.size)
    h = (school > 5).astype(int) + (school > 9)
    return pd.DataFrame(
        {
            "stratum": np.array(["A", "B", "C"])[h],
            "school": school,
            "w": 5 + (i * 37 % 101) / 4,
            "fpc": np.array([20, 15, 10])[h],
            "district": np.array(["North", "South", "East"])[(i * 7 + school) % 3],
            "sex": np.array(["F", "M"])[(i * 5 + 1) % 7 % 2],
            "age": np.array(["11-13", "14-16"])[(i * 3 + school) % 5 % 2],
            "q": pd.Series(np.array(["Safe", "Unsure", "Unsafe"])[(i * 11 + school) % 7 % 3]).where(
                i % 9 != 4
            ),
            "score": pd.Series((i * 13 % 29) / 3).where(i % 11 != 6),
        }
    )


MARGINS = [
    pd.DataFrame({"sex": ["F", "M"], "population": [520, 480]}),
    pd.DataFrame(
        {
            "district": ["North", "North", "South", "South", "East", "East"],
            "age": ["11-13", "14-16"] * 3,
            "population": [150, 170, 180, 160, 170, 170],
        }
    ),
]


# R: c(coef(m), SE(m), degf(dom)) for m <- svymean(~q, dom, na.rm = TRUE),
# dom <- subset(R, district == g & !is.na(q)), R the design raked to MARGINS by
# calibrate(D, list(~sex, ~district + age), pop, calfun = "raking", epsilon = 1e-12).
RAKED_PROPORTIONS = {
    "East": [
        0.4441382177279055,
        0.265097389588267,
        0.2907643926838275,
        0.08127200275263527,
        0.05907093223153847,
        0.06714630311978813,
        9.0,
    ],
    "North": [
        0.40380162602162,
        0.5712609260979381,
        0.024937447880441974,
        0.07033161910183908,
        0.06661577096237647,
        0.021398673063436423,
        9.0,
    ],
    "South": [
        0.29941020846616706,
        0.115954110714831,
        0.584635680819002,
        0.06900758419418757,
        0.07111784896829988,
        0.0646028406286683,
        8.0,
    ],
}
