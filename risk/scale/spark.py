"""Spark: the same vectorised scoring function, mapped over a Spark DataFrame with mapInPandas.

For health systems whose cohort already lives in a data lake. Spark hands each partition
to ``score_batches`` as pandas batches of raw string cells (as read from CSV), which go
through exactly the validation and scoring of ``osteoref score``. Rows that break the
contract are dropped here; run ``osteoref score`` (or ``score_chunk``) on a sample to see
their errors. Usage::

    scored = cohort.mapInPandas(spark_scorer(assessor), SPARK_SCHEMA)

pyspark is not imported here: this module only builds the plain-pandas function.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pandas as pd

from risk.assess import Assessor
from risk.flatten import FLAT_COLUMNS
from risk.scale.chunk import score_chunk

# The flat Assessment columns (risk.flatten.FLAT_COLUMNS) as a Spark DDL schema.
SPARK_SCHEMA = (
    "patient_id string, assessment_date timestamp, pathway string, risk_tier string, "
    "priority string, refer_to_pcp boolean, refer_to_specialist boolean, "
    "recommended_therapy string, criteria string, flags string, "
    "new_vertebral_fracture_12m double, new_vertebral_fracture_24m double, "
    "with_treatment_12m double, with_treatment_24m double, absolute_reduction_12m double, "
    "number_needed_to_treat_12m bigint, model_name string, model_version string, "
    "missing_inputs string"
)

Batches = Iterator[pd.DataFrame]


def spark_scorer(assessor: Assessor) -> Callable[[Batches], Batches]:
    """The ``mapInPandas`` function: raw batches in, flat Assessment rows out."""

    def score_batches(batches: Batches) -> Batches:
        for raw in batches:
            # Spark gives null for an empty CSV cell; the cohort reader's convention is "".
            scored = score_chunk(raw.astype(object).where(raw.notna(), ""), assessor).scored
            yield scored[list(FLAT_COLUMNS)]

    return score_batches
